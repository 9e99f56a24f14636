import FluentKit
import Foundation
import SQLKit

struct M0008CreateConversations: SchemaMigration {
    let version = 8
    let name = "contacts, conversations, messages with sequence numbers, read state, attachments"

    func prepare(on database: any Database) async throws {
        try await database.schema("workspaces").field("widget_key", .string).update()
        try await database.schema("workspaces").field("default_team_id", .uuid).update()
        try await database.schema("bot_intents").field("team_id", .uuid).update()
        try await createContacts(database)
        try await createConversations(database)
        guard let sql = database as? any SQLDatabase else { return }
        for row in try await sql.raw("SELECT id FROM workspaces").all() {
            let id = try row.decode(column: "id", as: UUID.self)
            try await sql.raw("UPDATE workspaces SET widget_key = \(bind: WidgetKey.generate()) WHERE id = \(bind: id)").run()
        }
        for statement in [
            "CREATE UNIQUE INDEX workspaces_widget_key ON workspaces (widget_key)",
            "CREATE INDEX conversations_inbox ON conversations (workspace_id, status, last_message_at)",
            "CREATE INDEX conversations_contact ON conversations (contact_id, last_message_at)",
            "CREATE INDEX contact_identities_contact ON contact_identities (contact_id)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    private func workspaceScoped(_ builder: SchemaBuilder) -> SchemaBuilder {
        builder.id().field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
    }

    private func createContacts(_ database: any Database) async throws {
        try await workspaceScoped(database.schema("contacts"))
            .field("name", .string)
            .field("email", .string)
            .field("phone", .string)
            .field("attributes", .string, .required)
            .field("merged_into", .uuid)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .create()
        // How a contact is recognised again: its widget visitor id, an e-mail, a phone number.
        try await workspaceScoped(database.schema("contact_identities"))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("value", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "kind", "value")
            .create()
    }

    private func createConversations(_ database: any Database) async throws {
        try await workspaceScoped(database.schema("conversations"))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("assignee_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("team_id", .uuid, .references("teams", "id", onDelete: .setNull))
            .field("priority", .string, .required)
            .field("tags", .string, .required)
            .field("channel", .string, .required)
            .field("last_seq", .int64, .required)
            .field("locale", .string, .required)
            .field("handoff", .string)
            .field("bot_state", .string)
            .field("preview", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("last_message_at", .datetime, .required)
            .field("resolved_at", .datetime)
            .create()
        try await workspaceScoped(database.schema("attachments"))
            .field("conversation_id", .uuid, .required, .references("conversations", "id", onDelete: .cascade))
            .field("file_name", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("sha256", .string, .required)
            .field("storage_key", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await workspaceScoped(database.schema("messages"))
            .field("conversation_id", .uuid, .required, .references("conversations", "id", onDelete: .cascade))
            .field("seq", .int64, .required)
            .field("client_msg_id", .string)
            .field("sender_kind", .string, .required)
            .field("sender_id", .uuid)
            .field("kind", .string, .required)
            .field("body", .string, .required)
            .field("private", .bool, .required)
            .field("bot_detail", .string)
            .field("attachment_id", .uuid, .references("attachments", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .unique(on: "conversation_id", "seq")
            .unique(on: "conversation_id", "client_msg_id")
            .create()
        // The newest sequence each participant (the customer, or an agent by user id) has read.
        try await workspaceScoped(database.schema("conversation_reads"))
            .field("conversation_id", .uuid, .required, .references("conversations", "id", onDelete: .cascade))
            .field("participant", .string, .required)
            .field("seq", .int64, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "conversation_id", "participant")
            .create()
    }
}

/// The public key a widget `<script>` tag names its workspace by; not a secret, but not guessable from the slug.
enum WidgetKey {
    static func generate() -> String {
        "wk_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}
