import FluentKit
import SQLKit

struct M0013CreateActions: SchemaMigration {
    let version = 13
    let name = "business actions, their call log, and each workspace's signing secret and allow-list"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        try await database.schema("actions")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("method", .string, .required)
            .field("url", .string, .required)
            // Secret header values are sealed with a key derived from the server's secret before they get here.
            .field("headers", .string, .required)
            .field("inputs", .string, .required)
            .field("mapping", .string, .required)
            .field("reply", .string, .required)
            .field("timeout_ms", .int, .required)
            .field("enabled", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id", "name")
            .create()
        try await database.schema("action_calls")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("action_id", .uuid, .required, .references("actions", "id", onDelete: .cascade))
            .field("conversation_id", .uuid, .references("conversations", "id", onDelete: .setNull))
            .field("outcome", .string, .required)
            .field("status_code", .int)
            .field("duration_ms", .int, .required)
            .field("error", .string)
            .field("target", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await sql.raw("CREATE INDEX action_calls_by_action ON action_calls (workspace_id, action_id, created_at)").run()
        try await database.schema("action_settings")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("signing_secret", .string, .required)
            .field("allowlist", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id")
            .create()
    }
}
