import Foundation
import Hummingbird
import KefuCore

/// Agents' conversations over REST: inboxes, transcripts, replies and notes, taking, assigning, resolving. The
/// console uses these and the agent socket (docs/CHAT-PROTOCOL.md) for what happens live.
struct ConversationAPIController {
    let conversations: ConversationService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.conversations, .viewConversations, use: list)
        routes.on(.get, APIPath.conversation, .viewConversations, use: get)
        routes.on(.get, APIPath.conversationMessages, .viewConversations, use: messages)
        routes.on(.post, APIPath.conversationMessages, .replyConversations, use: send)
        routes.on(.post, APIPath.conversationTake, .replyConversations, use: take)
        routes.on(.post, APIPath.conversationAssign, .replyConversations, use: assign)
        routes.on(.post, APIPath.conversationResolve, .replyConversations, use: resolve)
        routes.on(.post, APIPath.conversationReopen, .replyConversations, use: reopen)
        routes.on(.get, APIPath.messageSearch, .viewConversations, use: search)
    }

    struct Hit: Encodable {
        var message: DTO.Message
        var conversation: DTO.ConversationSummary
    }

    struct Hits: ResponseEncodable {
        var data: [Hit]
    }

    /// Full-text search over the messages of the conversations the caller may see (Chinese-aware), newest first.
    @Sendable func search(_ request: Request, context: AuthenticatedContext) async throws -> Hits {
        let query = request.uri.queryParameters
        let hits = try await conversations.search(
            context.identity, query: query.get("q") ?? "", limit: query.get("limit", as: Int.self) ?? 20)
        return Hits(
            data: hits.map {
                Hit(message: DTO.Message($0.0, forAgent: true), conversation: .init($0.1, contact: $0.2, forAgent: true))
            })
    }

    struct Inbox: ResponseEncodable {
        var conversations: [DTO.ConversationSummary]
        var counts: [String: Int]
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Inbox {
        let query = request.uri.queryParameters
        let view = query.get("view").flatMap(InboxView.init(rawValue:)) ?? .all
        let statuses = query.get("status").map {
            $0.split(separator: ",").compactMap { ConversationStatus(rawValue: String($0)) }
        }
        let before = query.get("before").flatMap(RFC3339.parse)
        let rows = try await conversations.inbox(
            context.identity, view: view, statuses: statuses ?? [], before: before, limit: query.get("limit", as: Int.self) ?? 50)
        let counts = try await conversations.counts(context.identity)
        return Inbox(
            conversations: rows.map { DTO.ConversationSummary($0.0, contact: $0.1, forAgent: true) },
            counts: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }))
    }

    struct Detail: ResponseEncodable {
        var conversation: DTO.ConversationSummary
        var reads: [String: Int64]
    }

    @Sendable func get(_ request: Request, context: AuthenticatedContext) async throws -> Detail {
        let id = try context.parameters.require("conversationID", as: ConversationID.self)
        let (conversation, contact, reads) = try await conversations.details(context.identity, id)
        return Detail(conversation: .init(conversation, contact: contact, forAgent: true), reads: reads)
    }

    struct Messages: ResponseEncodable {
        var messages: [DTO.Message]
    }

    @Sendable func messages(_ request: Request, context: AuthenticatedContext) async throws -> Messages {
        let id = try context.parameters.require("conversationID", as: ConversationID.self)
        let query = request.uri.queryParameters
        let list = try await conversations.messages(
            context.identity, id, after: query.get("after", as: Int64.self), before: query.get("before", as: Int64.self),
            limit: query.get("limit", as: Int.self) ?? 100)
        return Messages(messages: list.map { DTO.Message($0, forAgent: true) })
    }

    struct Send: Decodable {
        enum CodingKeys: String, CodingKey {
            case text
            case clientID = "client_id"
            case isPrivate = "private"
        }

        var text: String
        var clientID: String?
        var isPrivate: Bool?
    }

    /// 201 for a new message; 200 with the stored one for a resend with the same `client_id`.
    @Sendable func send(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DTO.Message> {
        let id = try context.parameters.require("conversationID", as: ConversationID.self)
        let body = try await request.decodeJSON(Send.self, context: context)
        let result = try await conversations.send(
            context.identity, id, clientID: body.clientID, text: body.text, isPrivate: body.isPrivate ?? false)
        return EditedResponse(status: result.isNew ? .created : .ok, response: DTO.Message(result.message, forAgent: true))
    }

    @Sendable func take(_ request: Request, context: AuthenticatedContext) async throws -> DTO.ConversationSummary {
        let id = try context.parameters.require("conversationID", as: ConversationID.self)
        return .init(try await conversations.take(context.identity, id), contact: nil, forAgent: true)
    }

    struct Assign: Decodable {
        enum CodingKeys: String, CodingKey {
            case assigneeID = "assignee_id"
            case teamID = "team_id"
            case note
        }

        var assigneeID: UserID?
        var teamID: TeamID?
        var hasTeam = false
        /// A transfer's note for the colleague who takes it over (a private note; the customer never sees it).
        var note: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            assigneeID = try container.decodeIfPresent(UserID.self, forKey: .assigneeID)
            hasTeam = container.contains(.teamID)
            teamID = try container.decodeIfPresent(TeamID.self, forKey: .teamID)
            note = try container.decodeIfPresent(String.self, forKey: .note)
        }
    }

    @Sendable func assign(_ request: Request, context: AuthenticatedContext) async throws -> DTO.ConversationSummary {
        let id = try context.parameters.require("conversationID", as: ConversationID.self)
        let body = try await request.decodeJSON(Assign.self, context: context)
        let team: TeamID?? = body.hasTeam ? .some(body.teamID) : nil
        return .init(
            try await conversations.assign(context.identity, id, to: body.assigneeID, team: team, note: body.note),
            contact: nil,
            forAgent: true)
    }

    @Sendable func resolve(_ request: Request, context: AuthenticatedContext) async throws -> DTO.ConversationSummary {
        let id = try context.parameters.require("conversationID", as: ConversationID.self)
        return .init(try await conversations.resolve(context.identity, id), contact: nil, forAgent: true)
    }

    @Sendable func reopen(_ request: Request, context: AuthenticatedContext) async throws -> DTO.ConversationSummary {
        let id = try context.parameters.require("conversationID", as: ConversationID.self)
        return .init(try await conversations.reopen(context.identity, id), contact: nil, forAgent: true)
    }
}

extension DTO.Message: ResponseEncodable {}
extension DTO.ConversationSummary: ResponseEncodable {}
