import FluentKit
import SQLKit

struct M0012CreateTickets: SchemaMigration {
    let version = 12
    let name = "tickets, their history and tags, saved views, SLA policies and breaches, idempotency keys"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        // Numbers are handed out by bumping this column: on PostgreSQL its row lock orders concurrent creations.
        try await sql.raw("ALTER TABLE workspaces ADD COLUMN last_ticket_number INTEGER NOT NULL DEFAULT 0").run()
        try await database.schema("tickets")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("number", .int, .required)
            .field("subject", .string, .required)
            .field("status", .string, .required)
            .field("priority", .string, .required)
            .field("type", .string)
            .field("requester_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("assignee_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("team_id", .uuid, .references("teams", "id", onDelete: .setNull))
            .field("conversation_id", .uuid, .references("conversations", "id", onDelete: .setNull))
            .field("source", .string, .required)
            .field("custom_fields", .string, .required)
            .field("merged_into_id", .uuid)
            // The SLA clocks as JSON (KefuCore's `SLATimer`s), and what the sweep and the views index on.
            .field("sla_policy_id", .uuid)
            .field("sla_timers", .string, .required)
            .field("sla_next_check_at", .datetime)
            .field("sla_state", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("first_response_at", .datetime)
            .field("solved_at", .datetime)
            .unique(on: "workspace_id", "number")
            .create()
        for index in [
            "CREATE INDEX tickets_by_status ON tickets (workspace_id, status, updated_at)",
            "CREATE INDEX tickets_by_assignee ON tickets (workspace_id, assignee_id, status, updated_at)",
            "CREATE INDEX tickets_by_team ON tickets (workspace_id, team_id, status, updated_at)",
            "CREATE INDEX tickets_by_requester ON tickets (workspace_id, requester_id, updated_at)",
            "CREATE INDEX tickets_by_sla_state ON tickets (workspace_id, sla_state, status)",
            "CREATE INDEX tickets_by_updated ON tickets (workspace_id, updated_at)",
            "CREATE INDEX tickets_sla_due ON tickets (sla_next_check_at)",
        ] {
            try await sql.raw(SQLQueryString(index)).run()
        }
        try await database.schema("ticket_tags")
            .id()
            .field("ticket_id", .uuid, .required, .references("tickets", "id", onDelete: .cascade))
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("tag", .string, .required)
            .unique(on: "ticket_id", "tag")
            .create()
        try await sql.raw("CREATE INDEX ticket_tags_by_tag ON ticket_tags (workspace_id, tag)").run()
        try await database.schema("ticket_events")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("ticket_id", .uuid, .required, .references("tickets", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("author", .string, .required)
            .field("author_id", .uuid)
            .field("body", .string)
            .field("details", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await sql.raw("CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, created_at)").run()
        try await database.schema("ticket_views")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("owner_id", .uuid, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("filter", .string, .required)
            .field("position", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("sla_policies")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("team_id", .uuid, .references("teams", "id", onDelete: .cascade))
            .field("business_hours", .bool, .required)
            .field("warn_before_minutes", .int, .required)
            .field("targets", .string, .required)
            .field("enabled", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        // Kept for reports even when the ticket later changes.
        try await database.schema("sla_breaches")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("ticket_id", .uuid, .required, .references("tickets", "id", onDelete: .cascade))
            .field("metric", .string, .required)
            .field("priority", .string, .required)
            .field("team_id", .uuid)
            .field("due_at", .datetime, .required)
            .field("breached_at", .datetime, .required)
            .unique(on: "ticket_id", "metric", "due_at")
            .create()
        try await sql.raw("CREATE INDEX sla_breaches_by_time ON sla_breaches (workspace_id, breached_at)").run()
        try await database.schema("outbox").field("ticket_id", .uuid).update()
        // A request sent again with the same key answers what the first one made.
        try await database.schema("idempotency_keys")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("scope", .string, .required)
            .field("key", .string, .required)
            .field("request_hash", .string, .required)
            .field("resource_id", .uuid, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "scope", "key")
            .create()
    }
}
