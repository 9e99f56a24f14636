import FluentKit
import SQLKit

struct M0017CreateTicketFields: SchemaMigration {
    let version = 17
    let name = "the custom fields a workspace declares for its tickets"

    func prepare(on database: any Database) async throws {
        try await database.schema("ticket_fields")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("key", .string, .required)
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("options", .string, .required)
            .field("position", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "key")
            .create()
    }
}
