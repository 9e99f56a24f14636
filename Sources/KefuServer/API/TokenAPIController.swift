import Foundation
import Hummingbird
import KefuCore
import KefuStore

/// Personal API tokens, the audit log and teams.
struct TokenAPIController {
    let accounts: AccountService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.tokens, .manageOwnTokens, use: list)
        routes.on(.post, APIPath.tokens, .manageOwnTokens, use: create)
        routes.on(.delete, APIPath.token, .manageOwnTokens, use: revoke)
        routes.on(.get, APIPath.auditEvents, .viewAudit, use: audit)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> [DTO.Token] {
        try await accounts.personalTokens(context.identity).map(DTO.Token.init)
    }

    struct CreateRequest: Decodable {
        var name: String
    }

    struct Created: ResponseEncodable {
        var token: String
        var info: DTO.Token
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<Created> {
        let body = try await request.decodeJSON(CreateRequest.self, context: context)
        let (token, info) = try await accounts.createPersonalToken(context.identity, name: body.name, ip: context.clientIP)
        return EditedResponse(
            status: .created, headers: [.cacheControl: "no-store"], response: Created(token: token, info: .init(info)))
    }

    @Sendable func revoke(_ request: Request, context: AuthenticatedContext) async throws -> DTO.Token {
        let id = try context.parameters.require("tokenID", as: UUID.self)
        return .init(try await accounts.revokeToken(context.identity, id: id, ip: context.clientIP))
    }

    @Sendable func audit(_ request: Request, context: AuthenticatedContext) async throws -> Page<DTO.AuditEntry> {
        let page = try PageQuery(request)
        var cursor: AuditCursor?
        if let text = page.cursor {
            guard let parsed = AuditCursor(encoded: text) else {
                var errors = ValidationErrors()
                errors.add("cursor", "not a cursor from a previous page")
                throw APIError.validation(errors)
            }
            cursor = parsed
        }
        let events = try await accounts.auditEvents(context.identity, before: cursor, limit: page.limit)
        let next = events.count == page.limit ? events.last.map { AuditCursor(createdAt: $0.createdAt, id: $0.id).encoded } : nil
        return Page(data: events.map(DTO.AuditEntry.init), nextCursor: next)
    }
}
