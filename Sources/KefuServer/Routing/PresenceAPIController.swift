import Foundation
import Hummingbird
import KefuCore

/// Who of the team is there: every member's presence, and setting one's own (`online`, `away`).
struct PresenceAPIController {
    let presence: PresenceService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.presence, .viewConversations, use: list)
        routes.on(.put, APIPath.myPresence, .viewConversations, use: set)
    }

    struct Agent: Encodable {
        enum CodingKeys: String, CodingKey {
            case name, role, status
            case userID = "user_id"
        }

        var userID: UserID
        var name: String
        var role: Role
        var status: String
    }

    struct List: ResponseEncodable {
        var data: [Agent]
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> List {
        List(
            data: try await presence.list(context.identity).map {
                Agent(
                    userID: $0.membership.user.id, name: $0.membership.user.displayName, role: $0.membership.role,
                    status: $0.status)
            })
    }

    struct Status: Codable, ResponseEncodable {
        var status: AgentStatus
    }

    @Sendable func set(_ request: Request, context: AuthenticatedContext) async throws -> Status {
        let body = try await request.decodeJSON(Status.self, context: context)
        try await presence.set(context.identity, body.status)
        return body
    }
}
