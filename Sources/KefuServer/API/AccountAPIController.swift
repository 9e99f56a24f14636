import Foundation
import Hummingbird
import KefuCore
import KefuStore

/// The signed-in user, the workspace, members and invitations.
struct AccountAPIController {
    let accounts: AccountService
    let publicURL: String?

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.me, .viewAppShell, use: me)
        routes.on(.get, APIPath.workspace, .viewWorkspace, use: workspace)
        routes.on(.patch, APIPath.workspace, .updateWorkspace, use: updateWorkspace)
        routes.on(.get, APIPath.members, .viewMembers, use: listMembers)
        routes.on(.patch, APIPath.member, .manageMembers, use: updateMember)
        routes.on(.delete, APIPath.member, .manageMembers, use: removeMember)
        routes.on(.post, APIPath.invitations, .manageMembers, use: invite)
    }

    @Sendable func me(_ request: Request, context: AuthenticatedContext) async throws -> DTO.Me {
        let identity = context.identity
        let all = try await accounts.workspaces(of: identity.user)
        return DTO.Me(
            user: .init(identity.user), workspace: .init(identity.workspace), role: identity.role.rawValue,
            permissions: PermissionTable.codes(of: identity.role),
            workspaces: all.map { .init(id: $0.0.id, slug: $0.0.slug, name: $0.0.name, role: $0.1.rawValue) })
    }

    @Sendable func workspace(_ request: Request, context: AuthenticatedContext) async throws -> DTO.Workspace {
        .init(context.identity.workspace)
    }

    struct WorkspacePatch: Decodable {
        enum CodingKeys: String, CodingKey {
            case name
            case defaultLocale = "default_locale"
        }

        var name: String?
        var defaultLocale: String?
    }

    @Sendable func updateWorkspace(_ request: Request, context: AuthenticatedContext) async throws -> DTO.Workspace {
        let patch = try await request.decodeJSON(WorkspacePatch.self, context: context)
        let updated = try await accounts.updateWorkspace(
            context.identity, name: patch.name, defaultLocale: patch.defaultLocale, ip: context.clientIP)
        return .init(updated)
    }

    @Sendable func listMembers(_ request: Request, context: AuthenticatedContext) async throws -> Page<DTO.Member> {
        let page = try PageQuery(request)
        let members = try await accounts.members(context.identity, after: page.cursor, limit: page.limit)
        return Page(data: members.map(DTO.Member.init), nextCursor: members.count == page.limit ? members.last?.user.email : nil)
    }

    struct MemberPatch: Decodable {
        var role: String
    }

    @Sendable func updateMember(_ request: Request, context: AuthenticatedContext) async throws -> DTO.Member {
        let userID = try context.parameters.require("userID", as: UUID.self)
        let patch = try await request.decodeJSON(MemberPatch.self, context: context)
        guard let role = Role(rawValue: patch.role) else { throw Self.roleError }
        return .init(try await accounts.changeRole(context.identity, userID: userID, to: role, ip: context.clientIP))
    }

    @Sendable func removeMember(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let userID = try context.parameters.require("userID", as: UUID.self)
        try await accounts.removeMember(context.identity, userID: userID, ip: context.clientIP)
        return Response(status: .noContent)
    }

    struct InvitationRequest: Decodable {
        var email: String
        var role: String
    }

    struct InvitationResponse: ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id
            case email
            case role
            case expiresAt = "expires_at"
            case inviteUrl = "invite_url"
        }

        var id: UUID
        var email: String
        var role: String
        var expiresAt: Date
        var inviteUrl: String
    }

    @Sendable func invite(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<InvitationResponse> {
        let body = try await request.decodeJSON(InvitationRequest.self, context: context)
        guard let role = Role(rawValue: body.role) else { throw Self.roleError }
        let (invitation, token) = try await accounts.invite(context.identity, email: body.email, role: role, ip: context.clientIP)
        let link = (publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? "") + WebPath.invite(token)
        return EditedResponse(
            status: .created,
            response: InvitationResponse(
                id: invitation.id, email: invitation.email, role: invitation.role.rawValue, expiresAt: invitation.expiresAt,
                inviteUrl: link))
    }

    static var roleError: APIError {
        var errors = ValidationErrors()
        errors.add("role", "one of: owner, admin, supervisor, agent")
        return .validation(errors)
    }
}
