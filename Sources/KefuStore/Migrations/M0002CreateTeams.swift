import FluentKit

struct M0002CreateTeams: SchemaMigration {
    let version = 2
    let name = "create teams and team members"

    func prepare(on database: any Database) async throws {
        try await database.schema("teams")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "name")
            .create()
        try await database.schema("team_members")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("team_id", .uuid, .required, .references("teams", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("skills", .string, .required)
            .field("max_chats", .int, .required)
            .unique(on: "team_id", "user_id")
            .create()
    }
}
