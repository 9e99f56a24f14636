import FluentKit
import SQLKit

struct M0011CreateBusinessHours: SchemaMigration {
    let version = 11
    let name = "business hours, messages left while nobody answers, and the outbox"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        let timestamp = sql.dialect.name == "sqlite" ? "DATETIME" : "TIMESTAMPTZ"
        // One row per workspace that set its hours; none means always open.
        try await database.schema("business_hours")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("enabled", .bool, .required)
            .field("time_zone", .string, .required)
            .field("spans", .string, .required)
            .field("holidays", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id")
            .create()
        // When the customer left a message for later (their name and how to reach them are in its event line).
        let leftMessageAt = "ALTER TABLE conversations ADD COLUMN left_message_at " + timestamp
        try await sql.raw(SQLQueryString(leftMessageAt)).run()
        // The e-mail address the customer asked replies to go to as well.
        try await sql.raw("ALTER TABLE conversations ADD COLUMN reply_to TEXT").run()
        // What waits to be sent on another channel (e-mail now; sending comes with the e-mail channel).
        try await database.schema("outbox")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("channel", .string, .required)
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("conversation_id", .uuid, .references("conversations", "id", onDelete: .cascade))
            .field("message_id", .uuid)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .create()
        try await sql.raw("CREATE INDEX outbox_pending ON outbox (workspace_id, status, created_at)").run()
    }
}
