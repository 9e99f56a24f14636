import FluentKit
import SQLKit

struct M0015AddTicketCountIndex: SchemaMigration {
    let version = 15
    let name = "an index that holds every column ticket views filter on, so their counts read the index alone"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        // Counting "open and urgent" at 100,000 tickets looked up each open ticket's row for its priority.
        try await sql.raw(
            "CREATE INDEX tickets_view_counts ON tickets (workspace_id, status, priority, assignee_id, team_id, sla_state, updated_at)"
        ).run()
        try await sql.raw("CREATE INDEX ticket_tags_by_ticket ON ticket_tags (tag, workspace_id, ticket_id)").run()
    }
}
