import FluentKit
import SQLKit

struct M0014CreateTicketDeflections: SchemaMigration {
    let version = 14
    let name = "help-center articles that answered someone about to file a ticket"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        try await database.schema("ticket_deflections")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("article_id", .uuid, .required, .references("kb_articles", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .create()
        try await sql.raw("CREATE INDEX ticket_deflections_by_time ON ticket_deflections (workspace_id, created_at)").run()
    }
}
