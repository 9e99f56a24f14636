import Foundation
import KefuCore

/// Rows of the chat hot path (every message reads and writes these), decoded straight from SQL: FluentKit's models
/// reflect over their properties on every query, which cost more than the database itself at chat rates.
struct ConversationRow: Decodable {
    enum CodingKeys: String, CodingKey {
        case id, status, priority, tags, locale, handoff, preview
        case workspaceID = "workspace_id"
        case contactID = "contact_id"
        case assigneeID = "assignee_id"
        case teamID = "team_id"
        case lastSeq = "last_seq"
        case botState = "bot_state"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case lastMessageAt = "last_message_at"
        case queuedAt = "queued_at"
        case leftMessageAt = "left_message_at"
        case replyTo = "reply_to"
    }

    var id: UUID
    var workspaceID: UUID
    var contactID: UUID
    var status: String
    var assigneeID: UUID?
    var teamID: UUID?
    var priority: String
    var tags: String
    var lastSeq: Int64
    var locale: String
    var handoff: String?
    var botState: String?
    var preview: String
    var createdAt: Date
    var updatedAt: Date
    var lastMessageAt: Date
    var queuedAt: Date?
    var leftMessageAt: Date?
    var replyTo: String?

    static let table = ConversationModel.schema

    func record() throws -> Conversation {
        Conversation(
            id: ConversationID(id), workspaceID: WorkspaceID(workspaceID), contactID: ContactID(contactID),
            status: try decodeStored(ConversationStatus.self, status, table: Self.table, column: "status"),
            assigneeID: assigneeID.map { UserID($0) }, teamID: teamID.map { TeamID($0) },
            priority: try decodeStored(ConversationPriority.self, priority, table: Self.table, column: "priority"),
            tags: try StoredJSON.decode([String].self, tags, table: Self.table, column: "tags"), lastSeq: lastSeq,
            locale: try decodeStored(ContentLocale.self, locale, table: Self.table, column: "locale"),
            handoff: try handoff.map { try StoredJSON.decode(Handoff.self, $0, table: Self.table, column: "handoff") },
            botState: botState, preview: preview, createdAt: createdAt, updatedAt: updatedAt, lastMessageAt: lastMessageAt,
            queuedAt: queuedAt, leftMessageAt: leftMessageAt, replyTo: replyTo)
    }
}

struct MessageRow: Decodable {
    enum CodingKeys: String, CodingKey {
        case id, seq, kind, body
        case conversationID = "conversation_id"
        case clientID = "client_id"
        case sender = "sender_kind"
        case senderID = "sender_id"
        case isPrivate = "private"
        case botDetail = "bot_detail"
        case attachmentID = "attachment_id"
        case flags
        case createdAt = "created_at"
    }

    var id: UUID
    var conversationID: UUID
    var seq: Int64
    var clientID: String?
    var sender: String
    var senderID: UUID?
    var kind: String
    var body: String
    var isPrivate: Bool
    var botDetail: String?
    var attachmentID: UUID?
    /// Sensitive words found in the message, as a JSON array; nil when none.
    var flags: String?
    var createdAt: Date

    static let table = MessageModel.schema

    func record() throws -> ChatMessage {
        ChatMessage(
            id: MessageID(id), conversationID: ConversationID(conversationID), seq: seq, clientID: clientID,
            sender: try decodeStored(SenderKind.self, sender, table: Self.table, column: "sender_kind"),
            senderID: senderID.map { UserID($0) },
            kind: try decodeStored(MessageKind.self, kind, table: Self.table, column: "kind"), body: body,
            isPrivate: isPrivate, botDetail: botDetail, attachmentID: attachmentID.map { AttachmentID($0) },
            flags: try flags.map { try StoredJSON.decode([String].self, $0, table: Self.table, column: "flags") } ?? [],
            createdAt: createdAt)
    }
}

extension MessageRow {
    /// The row a new message is stored as (each append path builds it the same way).
    init(_ message: NewMessage, id: UUID, conversation: UUID, seq: Int64, at: Date) {
        self.init(
            id: id, conversationID: conversation, seq: seq, clientID: message.clientID, sender: message.sender.rawValue,
            senderID: message.senderID?.uuid, kind: message.kind.rawValue, body: message.body, isPrivate: message.isPrivate,
            botDetail: message.botDetail, attachmentID: message.attachmentID?.uuid,
            flags: message.flags.isEmpty ? nil : StoredJSON.encode(message.flags), createdAt: at)
    }

    /// What a message makes of its conversation's preview: its first 140 characters, unless it is private or an event
    /// line (nil: the preview stays).
    static func preview(of message: NewMessage) -> String? {
        !message.isPrivate && message.kind != .event ? String(message.body.prefix(140)) : nil
    }
}
