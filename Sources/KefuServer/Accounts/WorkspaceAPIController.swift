import Foundation
import Hummingbird
import KefuCore

/// The workspace profile and its teams.
struct WorkspaceAPIController {
    let workspaces: WorkspaceService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.workspace, .viewWorkspace, use: get)
        routes.on(.patch, APIPath.workspace, .updateWorkspace, use: update)
        routes.on(.get, APIPath.workspacePortal, .viewWorkspace, use: portal)
        routes.on(.patch, APIPath.workspacePortal, .updateWorkspace, use: updatePortal)
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

    struct Portal: Codable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case brandColor = "brand_color"
            case supportEmail = "support_email"
            case supportPhone = "support_phone"
        }

        var brandColor: String?
        var supportEmail: String?
        var supportPhone: String?
    }

    @Sendable func portal(_ request: Request, context: AuthenticatedContext) async throws -> Portal {
        let settings = try await workspaces.portal(context.identity)
        return Portal(brandColor: settings.brandColor, supportEmail: settings.supportEmail, supportPhone: settings.supportPhone)
    }

    /// Absent keeps a value; null removes the e-mail or phone (the service reads an empty string as "remove").
    struct PortalPatch: Decodable {
        var brandColor: String?
        var supportEmail: String?
        var supportPhone: String?

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Portal.CodingKeys.self)
            brandColor = try c.decodeIfPresent(String.self, forKey: .brandColor)
            if c.contains(.supportEmail) { supportEmail = try c.decodeIfPresent(String.self, forKey: .supportEmail) ?? "" }
            if c.contains(.supportPhone) { supportPhone = try c.decodeIfPresent(String.self, forKey: .supportPhone) ?? "" }
        }
    }

    @Sendable func updatePortal(_ request: Request, context: AuthenticatedContext) async throws -> Portal {
        let patch = try await request.decodeJSON(PortalPatch.self, context: context)
        let settings = try await workspaces.updatePortal(
            context.identity, brandColor: patch.brandColor, supportEmail: patch.supportEmail,
            supportPhone: patch.supportPhone, ip: context.clientIP)
        return Portal(brandColor: settings.brandColor, supportEmail: settings.supportEmail, supportPhone: settings.supportPhone)
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
