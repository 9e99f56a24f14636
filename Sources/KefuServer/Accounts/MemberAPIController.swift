import Foundation
import Hummingbird
import KefuCore

/// Members, their roles, and invitations.
struct MemberAPIController {
    let members: MemberService
    let links: PublicLinks

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.members, .viewMembers, use: list)
        routes.on(.patch, APIPath.member, .manageMembers, use: update)
        routes.on(.delete, APIPath.member, .manageMembers, use: remove)
        routes.on(.post, APIPath.invitations, .manageMembers, use: invite)
        routes.on(.get, APIPath.invitations, .manageMembers, use: invitations)
        routes.on(.delete, APIPath.invitation, .manageMembers, use: revokeInvitation)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Page<DTO.Member> {
        let page = try PageQuery(request)
        let found = try await members.members(context.identity, after: page.cursor, limit: page.limit)
        return Page(data: found.map(DTO.Member.init), nextCursor: found.count == page.limit ? found.last?.user.email : nil)
    }

    struct Patch: Decodable {
        var role: Role
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> DTO.Member {
        let userID = try context.parameters.require("userID", as: UserID.self)
        let patch = try await request.decodeJSON(Patch.self, context: context)
        return .init(try await members.changeRole(context.identity, userID: userID, to: patch.role, ip: context.clientIP))
    }

    @Sendable func remove(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let userID = try context.parameters.require("userID", as: UserID.self)
        try await members.removeMember(context.identity, userID: userID, ip: context.clientIP)
        return Response(status: .noContent)
    }

    struct NewInvitation: Decodable {
        var email: String
        var role: Role
    }

    struct Invited: ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id
            case email
            case role
            case expiresAt = "expires_at"
            case inviteUrl = "invite_url"
        }

        var id: InvitationID
        var email: String
        var role: Role
        var expiresAt: Date
        var inviteUrl: String
    }

    @Sendable func invitations(_ request: Request, context: AuthenticatedContext) async throws -> [DTO.Invitation] {
        try await members.pendingInvitations(context.identity).map(DTO.Invitation.init)
    }

    @Sendable func revokeInvitation(_ request: Request, context: AuthenticatedContext) async throws -> DTO.Invitation {
        let id = try context.parameters.require("invitationID", as: InvitationID.self)
        return .init(try await members.revokeInvitation(context.identity, id: id, ip: context.clientIP))
    }

    @Sendable func invite(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<Invited> {
        let body = try await request.decodeJSON(NewInvitation.self, context: context)
        let (invitation, token) = try await members.invite(
            context.identity, email: body.email, role: body.role, ip: context.clientIP)
        return EditedResponse(
            status: .created, headers: [.cacheControl: "no-store"],
            response: Invited(
                id: invitation.id, email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt,
                inviteUrl: links.url(token: token, request: request)))
    }
}

/// Builds the absolute sign-up link of an invitation from `KEFU_PUBLIC_URL`; without it, from the address the server
/// listens on. Request headers (`Host`, `X-Forwarded-Proto`) are used only behind a trusted proxy: otherwise anyone
/// could make the server hand out links to their own host.
struct PublicLinks: Sendable {
    let publicURL: String?
    let trustProxy: Bool
    let listening: (host: String, port: Int)

    func url(token: String, request: Request) -> String { url(path: WebPath.invite(token), request: request) }

    /// Any page of this server as an absolute URL (the portal links in API answers).
    func url(path: String, request: Request) -> String {
        if let publicURL { return (publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL) + path }
        if trustProxy, let host = request.head.authority {
            let scheme = request.headers[.forwardedProto] == "https" ? "https" : "http"
            return "\(scheme)://\(host)\(path)"
        }
        let host = ["0.0.0.0", "::", ""].contains(listening.host) ? "localhost" : listening.host
        let shown = host.contains(":") ? "[\(host)]" : host
        return "http://\(shown):\(listening.port)\(path)"
    }
}
