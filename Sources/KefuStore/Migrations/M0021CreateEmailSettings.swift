import FluentKit
import SQLKit

/// A workspace's own e-mail server, overriding the server's (`KEFU_SMTP_URL`): the SMTP URL sealed like action
/// secrets (it holds the password) and the sender.
struct M0021CreateEmailSettings: SchemaMigration {
    let version = 21
    let name = "a workspace's own e-mail server and sender"

    func prepare(on database: any Database) async throws {
        try await database.schema("email_settings")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("sealed_smtp_url", .string, .required)
            .field("mail_from", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id")
            .create()
    }
}
