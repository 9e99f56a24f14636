import Foundation
import KefuCore
import SQLKit

/// The bound workspace's outgoing messages on other channels, oldest first.
public protocol OutboxRepository: Sendable {
    func add(
        channel: OutboxEntry.Channel, recipient: String, subject: String, body: String, conversation: ConversationID?,
        message: MessageID?, ticket: TicketID?, at: Date
    ) async throws -> OutboxEntry
    func entries(status: OutboxEntry.Status?, conversation: ConversationID?, limit: Int) async throws -> [OutboxEntry]
}

struct OutboxRow: Decodable {
    var id: UUID
    var workspace_id: UUID
    var channel: String
    var recipient: String
    var subject: String
    var body: String
    var conversation_id: UUID?
    var message_id: UUID?
    var ticket_id: UUID?
    var status: String
    var attempts: Int
    var created_at: Date
    var sent_at: Date?

    func record() throws -> OutboxEntry {
        OutboxEntry(
            id: OutboxEntryID(id), workspaceID: WorkspaceID(workspace_id),
            channel: try decodeStored(OutboxEntry.Channel.self, channel, table: "outbox", column: "channel"),
            recipient: recipient, subject: subject, body: body, conversationID: conversation_id.map(ConversationID.init),
            messageID: message_id.map(MessageID.init), ticketID: ticket_id.map(TicketID.init),
            status: try decodeStored(OutboxEntry.Status.self, status, table: "outbox", column: "status"),
            attempts: attempts, createdAt: created_at, sentAt: sent_at)
    }
}

struct SQLOutboxRepository: OutboxRepository {
    let scope: WorkspaceScope

    private var sql: any SQLDatabase { get throws { try scope.sql } }

    func add(
        channel: OutboxEntry.Channel, recipient: String, subject: String, body: String, conversation: ConversationID?,
        message: MessageID?, ticket: TicketID?, at: Date
    ) async throws -> OutboxEntry {
        let entry = OutboxEntry(
            id: OutboxEntryID(UUID()), workspaceID: scope.workspaceID, channel: channel, recipient: recipient,
            subject: subject, body: body, conversationID: conversation, messageID: message, ticketID: ticket, status: .pending,
            attempts: 0,
            createdAt: at, sentAt: nil)
        if let conversation {
            let owned = try await sql.raw(
                "SELECT id FROM conversations WHERE id = \(bind: conversation.uuid) AND workspace_id = \(bind: scope.workspaceID.uuid)"
            ).first()
            guard owned != nil else { throw DomainError.notFound(.conversation) }
        }
        try await sql.raw(
            """
            INSERT INTO outbox (id, workspace_id, channel, recipient, subject, body, conversation_id, message_id, ticket_id, \
            status, attempts, created_at) VALUES (\(bind: entry.id.uuid), \(bind: scope.workspaceID.uuid), \
            \(bind: channel.rawValue), \(bind: recipient), \(bind: subject), \(bind: body), \(bind: conversation?.uuid), \
            \(bind: message?.uuid), \(bind: ticket?.uuid), \(bind: entry.status.rawValue), 0, \(bind: at))
            """
        ).run()
        return entry
    }

    func entries(status: OutboxEntry.Status?, conversation: ConversationID?, limit: Int) async throws -> [OutboxEntry] {
        var query = SQLQueryString("SELECT * FROM outbox WHERE workspace_id = \(bind: scope.workspaceID.uuid)")
        if let status { query = query + " AND status = \(bind: status.rawValue)" }
        if let conversation { query = query + " AND conversation_id = \(bind: conversation.uuid)" }
        query = query + " ORDER BY created_at, id LIMIT \(bind: limit)"
        return try await sql.raw(query).all(decoding: OutboxRow.self).map { try $0.record() }
    }
}
