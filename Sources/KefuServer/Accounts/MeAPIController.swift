import Foundation
import Hummingbird
import KefuCore

/// `GET /api/v1/me`: the caller, their workspace, role, permissions and every workspace they belong to.
struct MeAPIController {
    let members: MemberService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.me, .viewAppShell, use: me)
    }

    @Sendable func me(_ request: Request, context: AuthenticatedContext) async throws -> DTO.Me {
        let identity = context.identity
        let all = try await members.workspaces(of: identity.user)
        return DTO.Me(
            user: .init(identity.user), workspace: .init(identity.workspace), role: identity.role,
            permissions: PermissionTable.codes(of: identity.role),
            workspaces: all.map { .init(id: $0.0.id, slug: $0.0.slug, name: $0.0.name, role: $0.1) })
    }
}
