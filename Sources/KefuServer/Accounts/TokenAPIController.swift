import Foundation
import Hummingbird
import KefuCore

/// The caller's personal API tokens.
struct TokenAPIController {
    let credentials: CredentialService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.tokens, .manageOwnTokens, use: list)
        routes.on(.post, APIPath.tokens, .manageOwnTokens, use: create)
        routes.on(.delete, APIPath.token, .manageOwnTokens, use: revoke)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> [DTO.Token] {
        try await credentials.personalTokens(context.identity).map(DTO.Token.init)
    }

    struct NewToken: Decodable {
        var name: String
    }

    struct Created: ResponseEncodable {
        var token: String
        var info: DTO.Token
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<Created> {
        let body = try await request.decodeJSON(NewToken.self, context: context)
        let (token, info) = try await credentials.createPersonalToken(context.identity, name: body.name, ip: context.clientIP)
        return EditedResponse(
            status: .created, headers: [.cacheControl: "no-store"], response: Created(token: token, info: .init(info)))
    }

    @Sendable func revoke(_ request: Request, context: AuthenticatedContext) async throws -> DTO.Token {
        let id = try context.parameters.require("tokenID", as: TokenID.self)
        return .init(try await credentials.revokeToken(context.identity, id: id, ip: context.clientIP))
    }
}
