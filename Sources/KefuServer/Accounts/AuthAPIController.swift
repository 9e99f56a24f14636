import Foundation
import Hummingbird
import KefuCore

/// `POST /api/v1/auth/token`: e-mail and password for a short-lived bearer token; `POST /api/v1/auth/invitation`:
/// accept an invitation as a new member (name and password) and get one, for apps and tools that are not the pages.
struct AuthAPIController {
    let credentials: CredentialService
    let members: MemberService

    func register(_ routes: PublicRoutes) {
        routes.on(.post, APIPath.authToken, use: issueToken)
        routes.on(.post, APIPath.authInvitation, use: acceptInvitation)
    }

    struct InvitationAcceptance: Decodable {
        var token: String
        var name: String
        var password: String
    }

    @Sendable func acceptInvitation(_ request: Request, context: AppRequestContext) async throws
        -> EditedResponse<TokenResponse>
    {
        let body = try await request.decodeJSON(InvitationAcceptance.self, context: context)
        let signedIn = try await members.acceptInvitation(
            token: body.token, displayName: body.name, password: body.password, ip: context.clientIP)
        let (token, expiresAt) = try await credentials.issueBearerToken(signedIn)
        return EditedResponse(
            status: .created, headers: [.cacheControl: "no-store"],
            response: TokenResponse(token: token, expiresAt: expiresAt, workspace: signedIn.workspace.slug))
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
            signedIn = try await credentials.signIn(
                email: body.email, password: body.password, workspaceSlug: body.workspace, ip: context.clientIP)
        } catch DomainError.unauthenticated {
            throw APIError.badCredentials
        }
        let (token, expiresAt) = try await credentials.issueBearerToken(signedIn)
        return EditedResponse(
            status: .created, headers: [.cacheControl: "no-store"],
            response: TokenResponse(token: token, expiresAt: expiresAt, workspace: signedIn.workspace.slug))
    }
}
