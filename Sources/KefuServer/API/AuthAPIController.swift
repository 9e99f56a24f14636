import Foundation
import Hummingbird
import KefuCore

/// `POST /api/v1/auth/token`: e-mail and password for a short-lived bearer token.
struct AuthAPIController {
    let accounts: AccountService

    func register(_ routes: PublicRoutes) {
        routes.on(.post, APIPath.authToken, use: issueToken)
    }

    struct TokenRequest: Decodable {
        var email: String
        var password: String
        var workspace: String?
    }

    struct TokenResponse: ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case token
            case tokenType = "token_type"
            case expiresAt = "expires_at"
            case workspace
        }

        var token: String
        var tokenType = "Bearer"
        var expiresAt: Date
        var workspace: String
    }

    @Sendable func issueToken(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<TokenResponse> {
        let body = try await request.decodeJSON(TokenRequest.self, context: context)
        let signedIn: SignedIn
        do {
            signedIn = try await accounts.signIn(
                email: body.email, password: body.password, workspaceSlug: body.workspace, ip: context.clientIP)
        } catch DomainError.unauthenticated {
            throw APIError.badCredentials
        }
        let (token, expiresAt) = try await accounts.issueBearerToken(signedIn)
        return EditedResponse(
            status: .created, headers: [.cacheControl: "no-store"],
            response: TokenResponse(token: token, expiresAt: expiresAt, workspace: signedIn.workspace.slug))
    }
}

/// Every API path, defined once.
enum APIPath {
    static let base = "/api/v1"
    static let authToken = "/api/v1/auth/token"
    static let me = "/api/v1/me"
    static let workspace = "/api/v1/workspace"
    static let members = "/api/v1/members"
    static let member = "/api/v1/members/:userID"
    static let invitations = "/api/v1/invitations"
    static let tokens = "/api/v1/tokens"
    static let token = "/api/v1/tokens/:tokenID"
    static let auditEvents = "/api/v1/audit-events"
    static let teams = "/api/v1/teams"
    static let openAPI = "/api/v1/openapi.json"
}
