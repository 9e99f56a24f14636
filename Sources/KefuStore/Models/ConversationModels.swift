import FluentKit
import Foundation
import KefuCore

final class ContactModel: Model, @unchecked Sendable {
    static let schema = "contacts"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "name") var name: String?
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "phone") var phone: String?
    @Field(key: "attributes") var attributes: String
    @OptionalField(key: "merged_into") var mergedInto: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date

    init() {}

    func record() throws -> Contact {
        Contact(
            id: ContactID(try requireID()), workspaceID: WorkspaceID(workspaceID), name: name, email: email, phone: phone,
            attributes: try StoredJSON.decode([String: String].self, attributes, table: Self.schema, column: "attributes"),
            createdAt: createdAt, lastSeenAt: lastSeenAt)
    }
}

final class ContactIdentityModel: Model, @unchecked Sendable {
    static let schema = "contact_identities"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "value") var value: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class ConversationModel: Model, @unchecked Sendable {
    static let schema = "conversations"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @Field(key: "status") var status: String
    @OptionalField(key: "assignee_id") var assigneeID: UUID?
    @OptionalField(key: "team_id") var teamID: UUID?
    @Field(key: "priority") var priority: String
    @Field(key: "tags") var tags: String
    @Field(key: "channel") var channel: String
    @Field(key: "last_seq") var lastSeq: Int64
    @Field(key: "locale") var locale: String
    @OptionalField(key: "handoff") var handoff: String?
    @OptionalField(key: "bot_state") var botState: String?
    @Field(key: "preview") var preview: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "last_message_at") var lastMessageAt: Date
    @OptionalField(key: "resolved_at") var resolvedAt: Date?
    @OptionalField(key: "queued_at") var queuedAt: Date?
    @OptionalField(key: "left_message_at") var leftMessageAt: Date?
    @OptionalField(key: "reply_to") var replyTo: String?

    init() {}

    func record() throws -> Conversation {
        try ConversationRow(
            id: try requireID(), workspaceID: workspaceID, contactID: contactID, status: status, assigneeID: assigneeID,
            teamID: teamID, priority: priority, tags: tags, lastSeq: lastSeq, locale: locale, handoff: handoff,
            botState: botState, preview: preview, createdAt: createdAt, updatedAt: updatedAt, lastMessageAt: lastMessageAt,
            queuedAt: queuedAt, leftMessageAt: leftMessageAt, replyTo: replyTo
        ).record()
    }
}

final class MessageModel: Model, @unchecked Sendable {
    static let schema = "messages"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "conversation_id") var conversationID: UUID
    @Field(key: "seq") var seq: Int64
    @OptionalField(key: "client_id") var clientID: String?
    @Field(key: "sender_kind") var sender: String
    @OptionalField(key: "sender_id") var senderID: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "body") var body: String
    @Field(key: "private") var isPrivate: Bool
    @OptionalField(key: "bot_detail") var botDetail: String?
    @OptionalField(key: "attachment_id") var attachmentID: UUID?
    @OptionalField(key: "flags") var flags: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func record() throws -> ChatMessage {
        try MessageRow(
            id: try requireID(), conversationID: conversationID, seq: seq, clientID: clientID, sender: sender,
            senderID: senderID, kind: kind, body: body, isPrivate: isPrivate, botDetail: botDetail, attachmentID: attachmentID,
            flags: flags, createdAt: createdAt
        ).record()
    }
}

final class ConversationReadModel: Model, @unchecked Sendable {
    static let schema = "conversation_reads"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "conversation_id") var conversationID: UUID
    @Field(key: "participant") var participant: String
    @Field(key: "seq") var seq: Int64
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class AttachmentModel: Model, @unchecked Sendable {
    static let schema = "attachments"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "conversation_id") var conversationID: UUID
    @Field(key: "file_name") var fileName: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "storage_key") var storageKey: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func record() throws -> ChatAttachment {
        ChatAttachment(
            id: AttachmentID(try requireID()), conversationID: ConversationID(conversationID), fileName: fileName,
            contentType: contentType, size: size, sha256: sha256, createdAt: createdAt,
            path: [workspaceID.uuidString, try requireID().uuidString, String(storageKey.split(separator: "/").last ?? "")]
                .joined(separator: "/").lowercased())
    }
}

/// JSON kept in a text column; a value that does not decode is an error, never a default.
enum StoredJSON {
    static func decode<T: Decodable>(_ type: T.Type, _ text: String, table: String, column: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw StoreError.undecodable(table: table, column: column, value: String(text.prefix(80)))
        }
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).flatMap { String(data: $0, encoding: .utf8) } ?? "null"
    }
}
