import FluentKit
import SQLKit

struct M0004CreateAuditEvents: SchemaMigration {
    let version = 4
    let name = "create append-only audit events"

    func prepare(on database: any Database) async throws {
        try await database.schema("audit_events")
            .id()
            .field("workspace_id", .uuid)
            .field("actor_user_id", .uuid)
            .field("actor_label", .string)
            .field("action", .string, .required)
            .field("target", .string)
            .field("ip", .string)
            .field("before", .string)
            .field("after", .string)
            .field("created_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX audit_events_workspace_time ON audit_events (workspace_id, created_at)").run()
        try await sql.raw("CREATE INDEX audit_events_action_time ON audit_events (action, created_at)").run()
        // The application only appends; the database refuses edits so a bug cannot rewrite history.
        if sql.dialect.name == "postgresql" {
            try await sql.raw(
                """
                CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$
                """
            ).run()
            try await sql.raw(
                "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
            ).run()
        } else {
            try await sql.raw(
                "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            ).run()
            try await sql.raw(
                "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            ).run()
        }
    }
}
