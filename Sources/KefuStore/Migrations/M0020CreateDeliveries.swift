import FluentKit
import Foundation
import KefuCore
import SQLKit

/// One durable queue for everything that leaves the process (e-mail, webhooks). What waited in `outbox` moves in —
/// a pending mail is queued and goes out once an e-mail server is set — and `outbox` is dropped.
struct M0020CreateDeliveries: SchemaMigration {
    let version = 20
    let name = "one durable delivery queue for e-mail and webhooks, taking over the outbox"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        try await database.schema("deliveries")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("channel", .string, .required)
            .field("event", .string, .required)
            .field("target", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("payload", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("next_attempt_at", .datetime)
            .field("last_error", .string)
            .field("locked_by", .string)
            .field("locked_until", .datetime)
            .field("thread_key", .string)
            .field("conversation_id", .uuid, .references("conversations", "id", onDelete: .cascade))
            .field("ticket_id", .uuid)
            .field("message_id", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("delivered_at", .datetime)
            .create()
        try await sql.raw("CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at)").run()
        try await sql.raw("CREATE INDEX deliveries_recent ON deliveries (workspace_id, created_at)").run()
        try await sql.raw("CREATE INDEX deliveries_thread ON deliveries (workspace_id, thread_key, created_at)").run()
        try await moveOutbox(sql)
        try await sql.raw("DROP TABLE outbox").run()
    }

    private struct OutboxRow: Decodable {
        var id: UUID
        var workspace_id: UUID
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
    }

    private func moveOutbox(_ sql: any SQLDatabase) async throws {
        let rows = try await sql.raw("SELECT * FROM outbox").all(decoding: OutboxRow.self)
        for row in rows {
            let status: Delivery.Status =
                switch row.status {
                case "sent": .delivered
                case "failed": .dead
                default: .queued
                }
            let content = MailContent(text: row.body, html: "<p>" + HTMLEscaping.escape(row.body) + "</p>")
            let payload = String(decoding: try JSONEncoder().encode(content), as: UTF8.self)
            let thread =
                row.ticket_id.map { "ticket:\($0.uuidString.lowercased())" }
                ?? row.conversation_id.map { "conversation:\($0.uuidString.lowercased())" }
            try await sql.raw(
                """
                INSERT INTO deliveries (id, workspace_id, channel, event, target, subject, body, payload, status, attempts, \
                max_attempts, next_attempt_at, thread_key, conversation_id, ticket_id, message_id, created_at, updated_at, \
                delivered_at) VALUES (\(bind: row.id), \(bind: row.workspace_id), 'email', \
                \(bind: row.ticket_id == nil ? "conversation.reply" : "ticket.reply"), \(bind: row.recipient), \
                \(bind: row.subject), \(bind: row.body), \(bind: payload), \(bind: status.rawValue), \(bind: row.attempts), \
                \(bind: NewDelivery.defaultMaxAttempts), \(bind: status == .queued ? row.created_at : nil), \(bind: thread), \
                \(bind: row.conversation_id), \(bind: row.ticket_id), \(bind: row.message_id), \(bind: row.created_at), \
                \(bind: row.sent_at ?? row.created_at), \(bind: row.sent_at))
                """
            ).run()
        }
    }
}
