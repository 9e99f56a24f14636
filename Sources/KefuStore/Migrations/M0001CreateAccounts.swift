import FluentKit

struct M0001CreateAccounts: SchemaMigration {
    let version = 1
    let name = "create workspaces, users, memberships"

    func prepare(on database: any Database) async throws {
        try await database.schema("workspaces")
            .id()
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .field("default_locale", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "slug")
            .create()
        try await database.schema("users")
            .id()
            .field("email", .string, .required)
            .field("display_name", .string, .required)
            .field("locale", .string)
            .field("status", .string, .required)
            .field("password_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "email")
            .create()
        try await database.schema("memberships")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "user_id")
            .create()
    }
}
