import FluentKit
import SQLKit

struct M0007CreateKnowledgeAndBot: SchemaMigration {
    let version = 7
    let name = "knowledge base, portal votes, bot intents and models, job queue"

    func prepare(on database: any Database) async throws {
        // SQLite adds one column per ALTER TABLE.
        try await database.schema("workspaces").field("bot_revision", .int, .required, .sql(.default(0))).update()
        try await database.schema("workspaces").field("brand_color", .string, .required, .sql(.default("#0f766e"))).update()
        try await database.schema("workspaces").field("support_email", .string).update()
        try await database.schema("workspaces").field("support_phone", .string).update()
        try await createKnowledge(database)
        try await createBot(database)
        try await createJobs(database)
        guard let sql = database as? any SQLDatabase else { return }
        for statement in [
            "CREATE INDEX kb_articles_listing ON kb_articles (workspace_id, status, locale)",
            "CREATE INDEX kb_revisions_article ON kb_article_revisions (article_id, version)",
            "CREATE INDEX bot_index_log_revision ON bot_index_log (workspace_id, revision)",
            "CREATE INDEX bot_phrases_intent ON bot_phrases (intent_id)",
            "CREATE INDEX jobs_due ON jobs (status, run_at)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    private func workspaceScoped(_ builder: SchemaBuilder) -> SchemaBuilder {
        builder.id().field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
    }

    private func createKnowledge(_ database: any Database) async throws {
        try await workspaceScoped(database.schema("kb_categories"))
            .field("key", .string, .required)
            .field("name_en", .string, .required)
            .field("name_zh", .string, .required)
            .field("position", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "key")
            .create()
        try await workspaceScoped(database.schema("kb_articles"))
            .field("category_id", .uuid, .references("kb_categories", "id", onDelete: .setNull))
            .field("translation_group", .uuid, .required)
            .field("locale", .string, .required)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("version", .int, .required)
            .field("helpful_count", .int, .required)
            .field("unhelpful_count", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("published_at", .datetime)
            .unique(on: "translation_group", "locale")
            .create()
        try await workspaceScoped(database.schema("kb_article_revisions"))
            .field("article_id", .uuid, .required, .references("kb_articles", "id", onDelete: .cascade))
            .field("version", .int, .required)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("edited_by", .uuid)
            .field("created_at", .datetime, .required)
            .create()
        try await workspaceScoped(database.schema("kb_faqs"))
            .field("questions", .string, .required)
            .field("answer", .string, .required)
            .field("intent", .string)
            .field("locale", .string, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await workspaceScoped(database.schema("kb_article_votes"))
            .field("article_id", .uuid, .required, .references("kb_articles", "id", onDelete: .cascade))
            .field("locale", .string, .required)
            .field("visitor", .string, .required)
            .field("helpful", .bool, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "article_id", "visitor")
            .create()
    }

    private func createBot(_ database: any Database) async throws {
        try await workspaceScoped(database.schema("bot_intents"))
            .field("label", .string, .required)
            .field("name_en", .string, .required)
            .field("name_zh", .string, .required)
            .field("flow", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "label")
            .create()
        try await workspaceScoped(database.schema("bot_phrases"))
            .field("intent_id", .uuid, .required, .references("bot_intents", "id", onDelete: .cascade))
            .field("text", .string, .required)
            .field("locale", .string, .required)
            .field("source", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "intent_id", "text")
            .create()
        try await workspaceScoped(database.schema("bot_flows"))
            .field("flow_id", .string, .required)
            .field("definition", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "flow_id")
            .create()
        try await workspaceScoped(database.schema("bot_models"))
            .field("version", .int, .required)
            .field("active", .bool, .required)
            .field("blob", .data, .required)
            .field("metrics", .string, .required)
            .field("phrase_count", .int, .required)
            .field("intent_count", .int, .required)
            .field("data_hash", .string, .required)
            .field("trained_by", .uuid)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "version")
            .create()
        // Which knowledge entries changed at which revision: each instance applies the changes after the revision it
        // has, entry by entry.
        try await workspaceScoped(database.schema("bot_index_log"))
            .field("revision", .int, .required)
            .field("entry", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    private func createJobs(_ database: any Database) async throws {
        try await workspaceScoped(database.schema("jobs"))
            .field("kind", .string, .required)
            .field("key", .string, .required)
            .field("payload", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("run_at", .datetime, .required)
            .field("locked_until", .datetime)
            .field("locked_by", .string)
            .field("last_error", .string)
            .field("result", .string)
            .field("created_at", .datetime, .required)
            .field("finished_at", .datetime)
            .unique(on: "workspace_id", "key")
            .create()
    }
}
