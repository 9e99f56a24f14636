import Foundation
import Hummingbird
import KefuCore

/// Conversations and messages as the API and the chat socket show them. Customers get the `customer` shapes: no
/// private notes, no bot reasoning, no hand-off details.
extension DTO {
    struct Message: Codable, Sendable, Equatable {
        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, seq, sender, kind, text, sources, bot, event, attachment, flags
            case conversationID = "conversation_id"
            case clientID = "client_id"
            case senderID = "sender_id"
            case isPrivate = "private"
            case attachmentID = "attachment_id"
            case createdAt = "created_at"
        }

        var id: MessageID
        var conversationID: ConversationID
        var seq: Int64
        var clientID: String?
        var sender: SenderKind
        var senderID: UserID?
        var kind: MessageKind
        var text: String
        var isPrivate: Bool?
        var attachmentID: AttachmentID?
        /// The file an `image` or `file` message carries.
        var attachment: File?
        /// Where a bot answer came from (help-center articles, FAQ entries).
        var sources: [BotSource]?
        /// Why the bot said it: agents only.
        var bot: BotReasoning?
        /// For `event` messages: what happened (`assigned`, `resolved`, …) and who did it.
        var event: [String: String]?
        /// Sensitive words the message holds: agents only.
        var flags: [String]?
        var createdAt: Date

        init(_ m: ChatMessage, forAgent: Bool) {
            id = m.id
            conversationID = m.conversationID
            seq = m.seq
            clientID = m.sender == .customer || forAgent ? m.clientID : nil
            sender = m.sender
            senderID = forAgent ? m.senderID : nil
            kind = m.kind
            isPrivate = forAgent ? m.isPrivate : nil
            attachmentID = m.attachmentID
            attachment = m.attachment.map(File.init)
            flags = forAgent && !m.flags.isEmpty ? m.flags : nil
            createdAt = m.createdAt
            if m.kind == .event {
                text = ""
                event = try? JSONDecoder().decode([String: String].self, from: Data(m.body.utf8))
            } else {
                text = m.body
            }
            if let detail = m.botDetail, let reasoning = try? JSONDecoder().decode(BotReasoning.self, from: Data(detail.utf8)) {
                sources = reasoning.sources.isEmpty ? nil : reasoning.sources
                bot = forAgent ? reasoning : nil
            }
        }
    }

    /// A chat file: its name, sniffed type, size and the address it is served at (unguessable, so it works in an
    /// `<img>` on the shop's own site).
    struct File: Codable, Sendable, Equatable {
        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, name, size, url
            case contentType = "content_type"
        }

        var id: AttachmentID
        var name: String
        var contentType: String
        var size: Int
        var url: String

        init(_ attachment: ChatAttachment) {
            id = attachment.id
            name = attachment.fileName
            contentType = attachment.contentType
            size = attachment.size
            url = WebPath.file(attachment.path)
        }
    }

    struct ConversationSummary: Codable, Sendable, Equatable {
        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, status, priority, tags, locale, preview, handoff, contact
            case lastSeq = "last_seq"
            case assigneeID = "assignee_id"
            case teamID = "team_id"
            case contactID = "contact_id"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
            case lastMessageAt = "last_message_at"
            case queuedAt = "queued_at"
            case leftMessageAt = "left_message_at"
            case replyTo = "reply_to"
        }

        var id: ConversationID
        var status: ConversationStatus
        var lastSeq: Int64
        var priority: ConversationPriority?
        var tags: [String]?
        var locale: ContentLocale
        var preview: String?
        var assigneeID: UserID?
        var teamID: TeamID?
        var contactID: ContactID?
        var contact: ContactSummary?
        var handoff: HandoffSummary?
        var createdAt: Date
        var updatedAt: Date?
        var lastMessageAt: Date?
        var queuedAt: Date?
        var leftMessageAt: Date?
        var replyTo: String?

        init(_ c: Conversation, contact: Contact?, forAgent: Bool) {
            id = c.id
            status = c.status
            lastSeq = c.lastSeq
            locale = c.locale
            createdAt = c.createdAt
            guard forAgent else { return }
            priority = c.priority
            tags = c.tags
            preview = c.preview
            assigneeID = c.assigneeID
            teamID = c.teamID
            contactID = c.contactID
            self.contact = contact.map(ContactSummary.init)
            handoff = c.handoff.map(HandoffSummary.init)
            updatedAt = c.updatedAt
            lastMessageAt = c.lastMessageAt
            queuedAt = c.queuedAt
            leftMessageAt = c.leftMessageAt
            replyTo = c.replyTo
        }
    }

    struct HandoffSummary: Codable, Sendable, Equatable {
        var intent: String?
        var confidence: Double
        var anger: Double
        var urgency: Double
        var summary: String
        var reason: String

        init(_ h: Handoff) {
            intent = h.intent
            confidence = h.confidence
            anger = h.anger
            urgency = h.urgency
            summary = h.summary
            reason = h.reason
        }
    }

    struct ContactSummary: Codable, Sendable, Equatable {
        enum CodingKeys: String, CodingKey {
            case id, name, email, phone, attributes
            case createdAt = "created_at"
            case lastSeenAt = "last_seen_at"
        }

        var id: ContactID
        var name: String?
        var email: String?
        var phone: String?
        var attributes: [String: String]
        var createdAt: Date
        var lastSeenAt: Date

        init(_ c: Contact) {
            id = c.id
            name = c.name
            email = c.email
            phone = c.phone
            attributes = c.attributes
            createdAt = c.createdAt
            lastSeenAt = c.lastSeenAt
        }
    }
}
