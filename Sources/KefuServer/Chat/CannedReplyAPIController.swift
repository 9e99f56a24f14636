import Foundation
import Hummingbird
import KefuCore

/// Canned replies: every agent lists the workspace's and their own (rendered for a conversation when one is named)
/// and keeps their own; supervisors and above keep the workspace's.
struct CannedReplyAPIController {
    let replies: CannedReplyService
    let conversations: ConversationService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.cannedReplies, .viewConversations, use: list)
        routes.on(.post, APIPath.cannedReplies, .replyConversations, use: create)
        routes.on(.patch, APIPath.cannedReply, .replyConversations, use: update)
        routes.on(.delete, APIPath.cannedReply, .replyConversations, use: delete)
    }

    struct Reply: ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id, shortcut, body, shared, rendered
            case ownerID = "owner_id"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
        }

        var id: CannedReplyID
        var shortcut: String
        var body: String
        var shared: Bool
        var ownerID: UserID?
        var rendered: String?
        var createdAt: Date
        var updatedAt: Date

        init(_ reply: CannedReply, rendered: String? = nil) {
            id = reply.id
            shortcut = reply.shortcut
            body = reply.body
            shared = reply.ownerID == nil
            ownerID = reply.ownerID
            self.rendered = rendered
            createdAt = reply.createdAt
            updatedAt = reply.updatedAt
        }
    }

    struct List: ResponseEncodable {
        var data: [Reply]
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> List {
        let query = request.uri.queryParameters
        let conversation = try query.get("conversation").map { raw in
            guard let id = ConversationID(String(raw)) else { throw DomainError.notFound(.conversation) }
            return id
        }
        let rows = try await replies.list(
            context.identity, prefix: query.get("prefix"), conversation: conversation, conversations: conversations)
        return List(data: rows.map { Reply($0.0, rendered: $0.rendered) })
    }

    struct New: Decodable {
        var shortcut: String
        var body: String
        var shared: Bool?
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<Reply> {
        let body = try await request.decodeJSON(New.self, context: context)
        let reply = try await replies.create(
            context.identity, shared: body.shared ?? false, shortcut: body.shortcut, body: body.body)
        return EditedResponse(status: .created, response: Reply(reply))
    }

    struct Change: Decodable {
        var shortcut: String?
        var body: String?
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> Reply {
        let id = try context.parameters.require("cannedReplyID", as: CannedReplyID.self)
        let body = try await request.decodeJSON(Change.self, context: context)
        return Reply(try await replies.update(context.identity, id, shortcut: body.shortcut, body: body.body))
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> HTTPResponse.Status {
        let id = try context.parameters.require("cannedReplyID", as: CannedReplyID.self)
        try await replies.delete(context.identity, id)
        return .noContent
    }
}
