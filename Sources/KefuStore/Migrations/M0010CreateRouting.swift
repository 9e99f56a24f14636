import FluentKit
import SQLKit

struct M0010CreateRouting: SchemaMigration {
    let version = 10
    let name = "routing: agents' capacity, skills and languages, the queue, agent connections per instance"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        let timestamp = sql.dialect.name == "sqlite" ? "DATETIME" : "TIMESTAMPTZ"
        for statement in [
            // Capacity, skills and languages belong to the agent, not to each of their teams.
            "ALTER TABLE memberships ADD COLUMN max_chats INTEGER NOT NULL DEFAULT 5",
            "ALTER TABLE memberships ADD COLUMN skills TEXT NOT NULL DEFAULT '[]'",
            "ALTER TABLE memberships ADD COLUMN languages TEXT NOT NULL DEFAULT '[]'",
            // Round-robin among equally loaded agents: the one routed to longest ago goes first.
            "ALTER TABLE memberships ADD COLUMN last_routed_at \(timestamp)",
            "ALTER TABLE team_members DROP COLUMN skills",
            "ALTER TABLE team_members DROP COLUMN max_chats",
            // Waiting for an agent since; NULL when not in a queue. The queue of a team is its conversations with
            // this set, oldest first.
            "ALTER TABLE conversations ADD COLUMN queued_at \(timestamp)",
            "ALTER TABLE conversations ADD COLUMN assigned_at \(timestamp)",
            "CREATE INDEX conversations_queue ON conversations (workspace_id, team_id, queued_at)",
            "CREATE INDEX conversations_load ON conversations (workspace_id, assignee_id, status)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
        // An agent is connected while some instance holds a console socket of theirs and keeps the row fresh; a
        // killed instance's rows go stale and stop counting.
        try await database.schema("agent_connections")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("instance_id", .uuid, .required)
            .field("sockets", .int, .required)
            .field("seen_at", .datetime, .required)
            .unique(on: "workspace_id", "user_id", "instance_id")
            .create()
    }
}
