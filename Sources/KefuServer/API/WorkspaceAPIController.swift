import Foundation
import Hummingbird
import KefuCore

/// The workspace profile and its teams.
struct WorkspaceAPIController {
    let workspaces: WorkspaceService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.workspace, .viewWorkspace, use: get)
        routes.on(.patch, APIPath.workspace, .updateWorkspace, use: update)
        routes.on(.get, APIPath.teams, .viewTeams, use: teams)
        routes.on(.post, APIPath.teams, .manageTeams, use: createTeam)
    }

    @Sendable func get(_ request: Request, context: AuthenticatedContext) async throws -> DTO.Workspace {
        .init(context.identity.workspace)
    }

    struct Patch: Decodable {
        enum CodingKeys: String, CodingKey {
            case name
            case defaultLocale = "default_locale"
        }

        var name: String?
        var defaultLocale: UILocale?
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> DTO.Workspace {
        let patch = try await request.decodeJSON(Patch.self, context: context)
        return .init(
            try await workspaces.update(
                context.identity, name: patch.name, defaultLocale: patch.defaultLocale, ip: context.clientIP))
    }

    @Sendable func teams(_ request: Request, context: AuthenticatedContext) async throws -> [DTO.Team] {
        try await workspaces.teams(context.identity).map(DTO.Team.init)
    }

    struct NewTeam: Decodable {
        var name: String
    }

    @Sendable func createTeam(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DTO.Team> {
        let body = try await request.decodeJSON(NewTeam.self, context: context)
        let team = try await workspaces.createTeam(context.identity, name: body.name, ip: context.clientIP)
        return EditedResponse(status: .created, response: .init(team))
    }
}
