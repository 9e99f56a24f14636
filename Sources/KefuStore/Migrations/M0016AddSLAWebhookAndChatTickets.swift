import FluentKit
import SQLKit

struct M0016AddSLAWebhookAndChatTickets: SchemaMigration {
    let version = 16
    let name = "where a workspace's SLA warnings and breaches are posted; a chat's tickets found by conversation"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        try await sql.raw("ALTER TABLE action_settings ADD COLUMN sla_webhook_url TEXT").run()
        try await sql.raw("CREATE INDEX tickets_by_conversation ON tickets (workspace_id, conversation_id)").run()
    }
}
