import Foundation
import Hummingbird
import KefuCore

/// Routing settings and the live queues: agents' capacity, skills and languages; team membership; who waits where.
struct RoutingAPIController {
    let routing: RoutingService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.memberRouting, .viewMembers, use: settings)
        routes.on(.put, APIPath.memberRouting, .manageMembers, use: setSettings)
        routes.on(.get, APIPath.teamMembers, .viewTeams, use: teamMembers)
        routes.on(.put, APIPath.teamMember, .manageTeams, use: addToTeam)
        routes.on(.delete, APIPath.teamMember, .manageTeams, use: removeFromTeam)
        routes.on(.get, APIPath.queues, .viewAllConversations, use: queues)
    }

    struct Settings: Codable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case skills, languages
            case maxChats = "max_chats"
        }

        var maxChats: Int
        var skills: [String]
        var languages: [String]

        init(_ routing: AgentRouting) {
            maxChats = routing.maxChats
            skills = routing.skills
            languages = routing.languages
        }

        var record: AgentRouting { AgentRouting(maxChats: maxChats, skills: skills, languages: languages) }
    }

    @Sendable func settings(_ request: Request, context: AuthenticatedContext) async throws -> Settings {
        let user = try context.parameters.require("userID", as: UserID.self)
        return Settings(try await routing.settings(context.identity, user))
    }

    @Sendable func setSettings(_ request: Request, context: AuthenticatedContext) async throws -> Settings {
        let user = try context.parameters.require("userID", as: UserID.self)
        let body = try await request.decodeJSON(Settings.self, context: context)
        return Settings(try await routing.setSettings(context.identity, user, body.record, ip: context.clientIP))
    }

    struct TeamMembers: ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case teamID = "team_id"
            case userIDs = "user_ids"
        }

        var teamID: TeamID
        var userIDs: [UserID]
    }

    @Sendable func teamMembers(_ request: Request, context: AuthenticatedContext) async throws -> TeamMembers {
        let team = try context.parameters.require("teamID", as: TeamID.self)
        return TeamMembers(teamID: team, userIDs: try await routing.teamMembers(context.identity, team))
    }

    @Sendable func addToTeam(_ request: Request, context: AuthenticatedContext) async throws -> TeamMembers {
        let team = try context.parameters.require("teamID", as: TeamID.self)
        let user = try context.parameters.require("userID", as: UserID.self)
        try await routing.addToTeam(context.identity, team, user, ip: context.clientIP)
        return TeamMembers(teamID: team, userIDs: try await routing.teamMembers(context.identity, team))
    }

    @Sendable func removeFromTeam(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let team = try context.parameters.require("teamID", as: TeamID.self)
        let user = try context.parameters.require("userID", as: UserID.self)
        try await routing.removeFromTeam(context.identity, team, user, ip: context.clientIP)
        return Response(status: .noContent)
    }

    struct Waiting: Encodable {
        enum CodingKeys: String, CodingKey {
            case position, locale, intent
            case conversationID = "conversation_id"
            case queuedAt = "queued_at"
        }

        var conversationID: ConversationID
        var position: Int
        var queuedAt: Date?
        var locale: ContentLocale
        var intent: String?
    }

    struct Queue: Encodable {
        enum CodingKeys: String, CodingKey {
            case waiting
            case teamID = "team_id"
            case teamName = "team_name"
        }

        var teamID: TeamID?
        var teamName: String?
        var waiting: [Waiting]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            // Explicit nulls: the queue of conversations in no team has no id and no name.
            try container.encode(teamID, forKey: .teamID)
            try container.encode(teamName, forKey: .teamName)
            try container.encode(waiting, forKey: .waiting)
        }
    }

    struct Agent: Encodable {
        enum CodingKeys: String, CodingKey {
            case name, connected
            case userID = "user_id"
            case maxChats = "max_chats"
            case openChats = "open_chats"
        }

        var userID: UserID
        var name: String
        var maxChats: Int
        var openChats: Int
        var connected: Bool
    }

    struct Overview: ResponseEncodable {
        var queues: [Queue]
        var agents: [Agent]
    }

    @Sendable func queues(_ request: Request, context: AuthenticatedContext) async throws -> Overview {
        let (queues, agents) = try await routing.overview(context.identity)
        return Overview(
            queues: queues.map { queue in
                Queue(
                    teamID: queue.team?.id, teamName: queue.team?.name,
                    waiting: queue.waiting.map { conversation, standing in
                        Waiting(
                            conversationID: conversation.id, position: standing.position, queuedAt: conversation.queuedAt,
                            locale: conversation.locale, intent: conversation.handoff?.intent)
                    })
            },
            agents: agents.map {
                Agent(
                    userID: $0.member.user.id, name: $0.member.user.displayName, maxChats: $0.routing.maxChats,
                    openChats: $0.openChats, connected: $0.connected)
            })
    }
}
