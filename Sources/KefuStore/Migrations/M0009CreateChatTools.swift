import FluentKit
import Foundation
import KefuBot
import SQLKit

struct M0009CreateChatTools: SchemaMigration {
    let version = 9
    let name = "canned replies, sensitive words and message flags, the message search index, agent presence"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        try await database.schema("messages").field("flags", .string).update()
        try await workspaceScoped(database.schema("canned_replies"))
            .field("owner_id", .uuid, .references("users", "id", onDelete: .cascade))
            // The owner's id, or "" for the workspace's own: a unique key that treats "no owner" as one value on both
            // databases (NULLs never collide in a unique index).
            .field("owner_key", .string, .required)
            .field("shortcut", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id", "owner_key", "shortcut")
            .create()
        try await workspaceScoped(database.schema("sensitive_words"))
            .field("word", .string, .required)
            // The word as the matcher folds it, so "ＶＩＰ" and "vip" are one entry.
            .field("folded", .string, .required)
            .field("action", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "folded")
            .create()
        try await workspaceScoped(database.schema("agent_presence"))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id", "user_id")
            .create()
        try await sql.raw("CREATE INDEX contacts_recent ON contacts (workspace_id, last_seen_at)").run()
        try await MessageSearchIndex.create(sql)
        try await backfill(sql)
    }

    private func workspaceScoped(_ builder: SchemaBuilder) -> SchemaBuilder {
        builder.id().field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
    }

    /// Indexes the messages stored before the index existed, 500 at a time in (created_at, id) order.
    private func backfill(_ sql: any SQLDatabase) async throws {
        struct Row: Decodable {
            var id: UUID
            var workspace_id: UUID
            var conversation_id: UUID
            var body: String
            var created_at: Date
        }
        var last: (Date, UUID)? = nil
        while true {
            let after: SQLQueryString =
                last.map { "AND (created_at > \(bind: $0.0) OR (created_at = \(bind: $0.0) AND id > \(bind: $0.1)))" } ?? ""
            let rows = try await sql.raw(
                """
                SELECT id, workspace_id, conversation_id, body, created_at FROM messages \
                WHERE kind IN ('text', 'image', 'file') AND sender_kind <> 'bot' \(after) ORDER BY created_at, id LIMIT 500
                """
            ).all(decoding: Row.self)
            guard let final = rows.last else { return }
            for message in rows {
                try await MessageSearchIndex.add(
                    sql, message: message.id, conversation: message.conversation_id, workspace: message.workspace_id,
                    text: message.body)
            }
            last = (final.created_at, final.id)
        }
    }
}
