import FluentKit
import Foundation
import KefuCore
import SQLKit

/// The chat hot path in plain SQL (see `ConversationRow`): reading a conversation, appending a message, reading
/// messages by sequence number.
extension SQLConversationRepository {
    var sql: any SQLDatabase { get throws { try scope.sql } }

    /// The conversation's row; `lock` takes its row lock on PostgreSQL (SQLite's write transaction already excludes
    /// every other writer).
    func row(_ id: ConversationID, lock: Bool = false) async throws -> ConversationRow {
        let sql = try sql
        let suffix: SQLQueryString = lock && sql.dialect.name != "sqlite" ? " FOR UPDATE" : ""
        guard
            let row = try await sql.raw(
                "SELECT * FROM conversations WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: scope.workspaceID.uuid)\(suffix)"
            ).first(decoding: ConversationRow.self)
        else { throw DomainError.notFound(.conversation) }
        return row
    }

    func conversation(_ id: ConversationID) async throws -> Conversation { try await row(id).record() }

    func lock(_ id: ConversationID) async throws -> Conversation { try await row(id, lock: true).record() }

    func append(_ id: ConversationID, _ message: NewMessage, at: Date) async throws -> AppendResult {
        let sql = try sql
        if sql.dialect.name == "sqlite", let appended = try await appendInOneWriter(sql, id, message, at: at) {
            return appended
        }
        // The row lock orders appends to one conversation: the dedupe check and the next sequence number are read
        // under it.
        var conversation = try await row(id, lock: true)
        // A resend is the same sender's id again: another sender's message is never found (nor returned) here.
        if let clientID = message.clientID,
            let earlier = try await sql.raw(
                """
                SELECT * FROM messages WHERE conversation_id = \(bind: id.uuid) \
                AND client_sender = \(bind: message.clientSender) AND client_id = \(bind: clientID)
                """
            ).first(decoding: MessageRow.self)
        {
            return AppendResult(
                message: try await withAttachments([try earlier.record()])[0], conversation: try conversation.record(),
                isNew: false)
        }
        let stored = MessageRow(message, id: UUID(), conversation: id.uuid, seq: conversation.lastSeq + 1, at: at)
        let insert: SQLQueryString = """
            INSERT INTO messages (id, workspace_id, conversation_id, seq, client_id, client_sender, sender_kind, sender_id, \
            kind, body, private, bot_detail, attachment_id, flags, created_at) VALUES (\(bind: stored.id), \
            \(bind: scope.workspaceID.uuid), \(bind: stored.conversationID), \(bind: stored.seq), \(bind: stored.clientID), \
            \(bind: message.clientID.map { _ in message.clientSender }), \(bind: stored.sender), \
            \(bind: stored.senderID), \(bind: stored.kind), \(bind: stored.body), \(bind: stored.isPrivate), \
            \(bind: stored.botDetail), \(bind: stored.attachmentID), \(bind: stored.flags), \(bind: at))
            """
        let document = MessageSearchIndex.document(message, workspace: scope.workspaceID.uuid)
        if let document, sql.dialect.name != "sqlite" {
            // One round trip on PostgreSQL: the message and its index row together.
            try await sql.raw(
                """
                WITH stored AS (\(insert) RETURNING id) INSERT INTO message_search (message_id, conversation_id, \
                workspace_id, terms) SELECT id, \(bind: id.uuid), \(bind: scope.workspaceID.uuid), \
                to_tsvector('simple', \(bind: document)) FROM stored
                """
            ).run()
        } else {
            try await sql.raw(insert).run()
            if let document {
                try await MessageSearchIndex.add(
                    sql, message: stored.id, conversation: id.uuid, workspace: scope.workspaceID.uuid, document: document)
            }
        }
        conversation.lastSeq = stored.seq
        conversation.lastMessageAt = at
        conversation.updatedAt = at
        if let preview = MessageRow.preview(of: message) { conversation.preview = preview }
        try await sql.raw(
            """
            UPDATE conversations SET last_seq = \(bind: conversation.lastSeq), last_message_at = \(bind: at), \
            updated_at = \(bind: at), preview = \(bind: conversation.preview) \
            WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: scope.workspaceID.uuid)
            """
        ).run()
        return AppendResult(
            message: try await withAttachments([try stored.record()])[0], conversation: try conversation.record(), isNew: true)
    }

    private struct Inserted: Decodable {
        var seq: Int64
    }

    /// SQLite has one writer, so appends run one after another and the next sequence number can be read inside the
    /// insert: three statements on the path every chat message takes, instead of five. Nil when nothing was inserted
    /// (a resend, or no such conversation): the general path answers those.
    private func appendInOneWriter(_ sql: any SQLDatabase, _ id: ConversationID, _ message: NewMessage, at: Date)
        async throws -> AppendResult?
    {
        let messageID = UUID()
        let flags = message.flags.isEmpty ? nil : StoredJSON.encode(message.flags)
        let workspace = scope.workspaceID.uuid
        guard
            let seq = try await sql.raw(
                """
                INSERT INTO messages (id, workspace_id, conversation_id, seq, client_id, client_sender, sender_kind, \
                sender_id, kind, body, private, bot_detail, attachment_id, flags, created_at) \
                SELECT \(bind: messageID), workspace_id, id, last_seq + 1, \(bind: message.clientID), \
                \(bind: message.clientID.map { _ in message.clientSender }), \(bind: message.sender.rawValue), \
                \(bind: message.senderID?.uuid), \(bind: message.kind.rawValue), \(bind: message.body), \
                \(bind: message.isPrivate), \(bind: message.botDetail), \(bind: message.attachmentID?.uuid), \(bind: flags), \
                \(bind: at) FROM conversations WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: workspace) \
                ON CONFLICT DO NOTHING RETURNING seq
                """
            ).first(decoding: Inserted.self)?.seq
        else { return nil }
        if let document = MessageSearchIndex.document(message, workspace: workspace) {
            try await MessageSearchIndex.add(
                sql, message: messageID, conversation: id.uuid, workspace: workspace, document: document)
        }
        let preview = MessageRow.preview(of: message)
        guard
            let conversation = try await sql.raw(
                """
                UPDATE conversations SET last_seq = \(bind: seq), last_message_at = \(bind: at), updated_at = \(bind: at), \
                preview = COALESCE(\(bind: preview), preview) WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: workspace) \
                RETURNING *
                """
            ).first(decoding: ConversationRow.self)
        else { throw DomainError.notFound(.conversation) }
        let stored = MessageRow(message, id: messageID, conversation: id.uuid, seq: seq, at: at)
        return AppendResult(
            message: try await withAttachments([try stored.record()])[0], conversation: try conversation.record(), isNew: true)
    }

    /// Fills in the files that messages carry, with one query.
    func withAttachments(_ messages: [ChatMessage]) async throws -> [ChatMessage] {
        let ids = Set(messages.compactMap(\.attachmentID?.uuid))
        guard !ids.isEmpty else { return messages }
        let rows = try await scope.query(AttachmentModel.self).filter(\.$id ~~ Array(ids)).all()
        var files: [UUID: ChatAttachment] = [:]
        for row in rows { files[try row.requireID()] = try row.record() }
        return messages.map { message in
            var message = message
            message.attachment = message.attachmentID.flatMap { files[$0.uuid] }
            return message
        }
    }

    func messages(_ id: ConversationID, after seq: Int64, limit: Int, includePrivate: Bool) async throws -> [ChatMessage] {
        let visible: SQLQueryString = includePrivate ? "" : " AND private = \(bind: false)"
        let rows = try await sql.raw(
            """
            SELECT * FROM messages WHERE workspace_id = \(bind: scope.workspaceID.uuid) AND conversation_id = \(bind: id.uuid) \
            AND seq > \(bind: seq)\(visible) ORDER BY seq LIMIT \(bind: limit)
            """
        ).all(decoding: MessageRow.self)
        return try await withAttachments(try rows.map { try $0.record() })
    }

    func messages(_ id: ConversationID, before seq: Int64, limit: Int, includePrivate: Bool) async throws -> [ChatMessage] {
        let visible: SQLQueryString = includePrivate ? "" : " AND private = \(bind: false)"
        let rows = try await sql.raw(
            """
            SELECT * FROM messages WHERE workspace_id = \(bind: scope.workspaceID.uuid) AND conversation_id = \(bind: id.uuid) \
            AND seq < \(bind: seq)\(visible) ORDER BY seq DESC LIMIT \(bind: limit)
            """
        ).all(decoding: MessageRow.self)
        return try await withAttachments(try rows.reversed().map { try $0.record() })
    }

    func search(_ query: String, visibleTo: ConversationVisibility, limit: Int) async throws -> [ChatMessage] {
        let sql = try sql
        let ids = try await MessageSearchIndex.search(
            sql, workspace: scope.workspaceID.uuid, query: query, visibleTo: visibleTo, limit: limit)
        guard !ids.isEmpty else { return [] }
        var list = SQLQueryString("")
        for (index, id) in ids.enumerated() { list = list + (index == 0 ? "" : ", ") + "\(bind: id)" }
        let rows = try await sql.raw(
            "SELECT * FROM messages WHERE workspace_id = \(bind: scope.workspaceID.uuid) AND id IN (\(list))"
        ).all(decoding: MessageRow.self)
        let order = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        return try await withAttachments(
            try rows.sorted { order[$0.id, default: 0] < order[$1.id, default: 0] }.map { try $0.record() })
    }
}
