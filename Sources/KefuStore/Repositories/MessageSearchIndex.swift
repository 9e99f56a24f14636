import Foundation
import KefuBot
import KefuCore
import SQLKit

/// The full-text index of messages, one row per message: SQLite's FTS5 or a PostgreSQL `tsvector` with a GIN index,
/// over the terms `SearchTerms` makes (so Chinese is searched by character bigrams on both). Every row's terms start
/// with its workspace's term, so a search is one index lookup that cannot reach another workspace's messages.
enum MessageSearchIndex {
    static func create(_ sql: any SQLDatabase) async throws {
        if sql.dialect.name == "sqlite" {
            try await sql.raw(
                """
                CREATE VIRTUAL TABLE message_search USING fts5(terms, message_id UNINDEXED, conversation_id UNINDEXED, \
                workspace_id UNINDEXED, tokenize = 'ascii')
                """
            ).run()
        } else {
            try await sql.raw(
                """
                CREATE TABLE message_search (message_id uuid PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE, \
                conversation_id uuid NOT NULL, workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE, \
                terms tsvector NOT NULL)
                """
            ).run()
            try await sql.raw("CREATE INDEX message_search_terms ON message_search USING GIN (terms)").run()
        }
    }

    static func workspaceTerm(_ workspace: UUID) -> String {
        "w" + workspace.uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// The terms stored for a message of `workspace`; nil when the text has none.
    static func document(_ text: String, workspace: UUID) -> String? {
        document(terms: SearchTerms.index(text), workspace: workspace)
    }

    static func document(terms: [String], workspace: UUID) -> String? {
        guard !terms.isEmpty else { return nil }
        return ([workspaceTerm(workspace)] + terms).joined(separator: " ")
    }

    /// Whether a message is indexed: bot answers are the help center's own text (searched there), events are status
    /// lines.
    static func indexes(_ message: NewMessage) -> Bool { message.kind != .event && message.sender != .bot }

    static func document(_ message: NewMessage, workspace: UUID) -> String? {
        guard indexes(message) else { return nil }
        if let terms = message.indexTerms { return document(terms: terms, workspace: workspace) }
        return document(message.body, workspace: workspace)
    }

    static func add(_ sql: any SQLDatabase, message: UUID, conversation: UUID, workspace: UUID, text: String) async throws {
        guard let document = document(text, workspace: workspace) else { return }
        try await add(sql, message: message, conversation: conversation, workspace: workspace, document: document)
    }

    static func add(_ sql: any SQLDatabase, message: UUID, conversation: UUID, workspace: UUID, document: String)
        async throws
    {
        if sql.dialect.name == "sqlite" {
            try await sql.raw(
                """
                INSERT INTO message_search (terms, message_id, conversation_id, workspace_id) \
                VALUES (\(bind: document), \(bind: message), \(bind: conversation), \(bind: workspace))
                """
            ).run()
        } else {
            try await sql.raw(
                """
                INSERT INTO message_search (message_id, conversation_id, workspace_id, terms) \
                VALUES (\(bind: message), \(bind: conversation), \(bind: workspace), to_tsvector('simple', \(bind: document)))
                """
            ).run()
        }
    }

    /// The ids of the newest messages matching every query term, in conversations the reader may see.
    static func search(
        _ sql: any SQLDatabase, workspace: UUID, query: String, visibleTo: ConversationVisibility, limit: Int
    ) async throws -> [UUID] {
        let terms = SearchTerms.query(query)
        guard !terms.isEmpty else { return [] }
        let all = [workspaceTerm(workspace)] + terms
        let visible: SQLQueryString = visibleTo.condition("c").map { " AND " + $0 } ?? ""
        struct Hit: Decodable { var message_id: UUID }
        if sql.dialect.name == "sqlite" {
            let match = all.map { "\"\($0)\"" }.joined(separator: " ")
            return try await sql.raw(
                """
                SELECT s.message_id FROM message_search s JOIN conversations c ON c.id = s.conversation_id \
                WHERE message_search MATCH \(bind: match) AND c.workspace_id = \(bind: workspace)\(visible) \
                ORDER BY s.rowid DESC LIMIT \(bind: limit)
                """
            ).all(decoding: Hit.self).map(\.message_id)
        }
        return try await sql.raw(
            """
            SELECT s.message_id FROM message_search s JOIN conversations c ON c.id = s.conversation_id \
            JOIN messages m ON m.id = s.message_id \
            WHERE s.terms @@ to_tsquery('simple', \(bind: all.joined(separator: " & "))) \
            AND s.workspace_id = \(bind: workspace)\(visible) ORDER BY m.created_at DESC LIMIT \(bind: limit)
            """
        ).all(decoding: Hit.self).map(\.message_id)
    }
}

extension NewMessage {
    /// The message with its search terms worked out now, outside the write transaction that stores it.
    public func withIndexTerms() -> NewMessage {
        guard MessageSearchIndex.indexes(self), indexTerms == nil else { return self }
        var message = self
        message.indexTerms = SearchTerms.index(body)
        return message
    }
}
