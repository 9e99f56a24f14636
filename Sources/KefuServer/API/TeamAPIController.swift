import Foundation
import Hummingbird
import KefuCore

/// Teams that conversations will be routed to.
struct TeamAPIController {
    let accounts: AccountService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.teams, .viewTeams, use: list)
        routes.on(.post, APIPath.teams, .manageTeams, use: create)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> [DTO.Team] {
        try await accounts.teams(context.identity).map(DTO.Team.init)
    }

    struct CreateRequest: Decodable {
        var name: String
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DTO.Team> {
        let body = try await request.decodeJSON(CreateRequest.self, context: context)
        let team = try await accounts.createTeam(context.identity, name: body.name, ip: context.clientIP)
        return EditedResponse(status: .created, response: .init(team))
    }
}
