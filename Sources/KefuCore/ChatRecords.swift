import Foundation

/// A customer of the workspace: an anonymous widget visitor at first, identified later by e-mail or phone.
public struct Contact: Sendable, Codable, Equatable {
    public var id: ContactID
    public var workspaceID: WorkspaceID
    public var name: String?
    public var email: String?
    public var phone: String?
    /// Custom attributes the business sets (plan, order count, …); string values only.
    public var attributes: [String: String]
    public var createdAt: Date
    public var lastSeenAt: Date

    public init(
        id: ContactID, workspaceID: WorkspaceID, name: String?, email: String?, phone: String?,
        attributes: [String: String], createdAt: Date, lastSeenAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.email = email
        self.phone = phone
        self.attributes = attributes
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}

/// Where a conversation stands. `bot` → `open` (waiting or assigned) → `resolved`; `pending` waits on the customer.
public enum ConversationStatus: String, Codable, Sendable, CaseIterable {
    case bot, open, pending, resolved
}

/// How urgent a conversation is.
public enum ConversationPriority: String, Codable, Sendable, CaseIterable {
    case low, normal, high, urgent
}

/// What the bot knew when it handed a conversation to people.
public struct Handoff: Sendable, Codable, Equatable {
    public var intent: String?
    public var confidence: Double
    /// The customer's sentiment at the hand-off (0–1 each).
    public var anger: Double
    public var urgency: Double
    /// A short summary: the customer's last messages, newest last.
    public var summary: String
    /// Why: `customer_asked`, `low_confidence`, `angry`, `flow`, …
    public var reason: String

    public init(intent: String?, confidence: Double, anger: Double, urgency: Double, summary: String, reason: String) {
        self.intent = intent
        self.confidence = confidence
        self.anger = anger
        self.urgency = urgency
        self.summary = summary
        self.reason = reason
    }
}

/// One chat between a contact and the workspace.
public struct Conversation: Sendable, Codable, Equatable {
    public var id: ConversationID
    public var workspaceID: WorkspaceID
    public var contactID: ContactID
    public var status: ConversationStatus
    public var assigneeID: UserID?
    public var teamID: TeamID?
    public var priority: ConversationPriority
    public var tags: [String]
    /// The sequence number of the newest message; the next one gets `lastSeq + 1`.
    public var lastSeq: Int64
    public var locale: ContentLocale
    public var handoff: Handoff?
    /// The running bot flow's state (KefuBot's `FlowState` as JSON), nil when none runs.
    public var botState: String?
    /// The newest message's text, shortened, for inbox lists.
    public var preview: String
    public var createdAt: Date
    public var updatedAt: Date
    public var lastMessageAt: Date
    /// Waiting in its team's queue since; nil when not queued.
    public var queuedAt: Date?
    /// When the customer left a message for later (nobody could answer then); nil otherwise.
    public var leftMessageAt: Date?
    /// The e-mail address the customer asked replies to go to as well.
    public var replyTo: String?

    public init(
        id: ConversationID, workspaceID: WorkspaceID, contactID: ContactID, status: ConversationStatus,
        assigneeID: UserID?, teamID: TeamID?, priority: ConversationPriority, tags: [String], lastSeq: Int64,
        locale: ContentLocale, handoff: Handoff?, botState: String?, preview: String, createdAt: Date, updatedAt: Date,
        lastMessageAt: Date, queuedAt: Date? = nil, leftMessageAt: Date? = nil,
        replyTo: String? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.contactID = contactID
        self.status = status
        self.assigneeID = assigneeID
        self.teamID = teamID
        self.priority = priority
        self.tags = tags
        self.lastSeq = lastSeq
        self.locale = locale
        self.handoff = handoff
        self.botState = botState
        self.preview = preview
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastMessageAt = lastMessageAt
        self.queuedAt = queuedAt
        self.leftMessageAt = leftMessageAt
        self.replyTo = replyTo
    }
}

/// Who wrote a message.
public enum SenderKind: String, Codable, Sendable, CaseIterable {
    case customer, bot, agent, system
}

/// What a message carries.
public enum MessageKind: String, Codable, Sendable, CaseIterable {
    case text, image, file
    /// A status line (assigned, resolved, handed off); its body is a catalogue key's arguments as JSON.
    case event
}

/// One stored message: the row plus its per-conversation sequence number is what every screen shows.
public struct ChatMessage: Sendable, Codable, Equatable {
    public var id: MessageID
    public var conversationID: ConversationID
    public var seq: Int64
    /// The sender's own id for this message; a resend with the same id is stored once.
    public var clientID: String?
    public var sender: SenderKind
    /// The agent's user id for agent messages and notes.
    public var senderID: UserID?
    public var kind: MessageKind
    public var body: String
    /// A note between agents; customers never receive it.
    public var isPrivate: Bool
    /// What the bot saw and decided (JSON), on bot messages; agents only.
    public var botDetail: String?
    public var attachmentID: AttachmentID?
    /// The file itself, filled in when the message is read.
    public var attachment: ChatAttachment?
    /// Sensitive words found in the message; agents only.
    public var flags: [String]
    public var createdAt: Date

    public init(
        id: MessageID, conversationID: ConversationID, seq: Int64, clientID: String?, sender: SenderKind,
        senderID: UserID?, kind: MessageKind, body: String, isPrivate: Bool, botDetail: String?,
        attachmentID: AttachmentID?, flags: [String] = [], createdAt: Date
    ) {
        self.flags = flags
        self.id = id
        self.conversationID = conversationID
        self.seq = seq
        self.clientID = clientID
        self.sender = sender
        self.senderID = senderID
        self.kind = kind
        self.body = body
        self.isPrivate = isPrivate
        self.botDetail = botDetail
        self.attachmentID = attachmentID
        self.createdAt = createdAt
    }
}

/// A message to store; the store gives it an id and the next sequence number.
public struct NewMessage: Sendable, Equatable {
    public var clientID: String?
    public var sender: SenderKind
    public var senderID: UserID?
    public var kind: MessageKind
    public var body: String
    public var isPrivate: Bool
    public var botDetail: String?
    public var attachmentID: AttachmentID?
    /// Sensitive words the message contains (agents see them; customers never do).
    public var flags: [String]
    /// The terms the search index files it under, worked out before the write (`NewMessage.withIndexTerms()` in
    /// KefuStore) so that the text processing stays out of the database's one writer; nil: worked out in the write.
    public var indexTerms: [String]?

    public init(
        clientID: String?, sender: SenderKind, senderID: UserID? = nil, kind: MessageKind = .text, body: String,
        isPrivate: Bool = false, botDetail: String? = nil, attachmentID: AttachmentID? = nil, flags: [String] = []
    ) {
        self.flags = flags
        self.clientID = clientID
        self.sender = sender
        self.senderID = senderID
        self.kind = kind
        self.body = body
        self.isPrivate = isPrivate
        self.botDetail = botDetail
        self.attachmentID = attachmentID
    }
}

extension NewMessage {
    /// Whose ids `clientID` is unique among: the conversation's customer (this zero id; also for the left-message
    /// line, which carries the customer's id) or an agent (their user id).
    public static let customerClientSender = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    public var clientSender: UUID { sender == .agent ? senderID?.uuid ?? Self.customerClientSender : Self.customerClientSender }
}

/// The result of an append: the stored message, and whether this call stored it or found an earlier copy.
public struct AppendResult: Sendable, Equatable {
    public var message: ChatMessage
    public var conversation: Conversation
    /// False when a message with the same client id was already stored: the caller acknowledges it again.
    public var isNew: Bool

    public init(message: ChatMessage, conversation: Conversation, isNew: Bool) {
        self.message = message
        self.conversation = conversation
        self.isNew = isNew
    }
}

/// An uploaded file in a conversation, stored under the data directory.
public struct ChatAttachment: Sendable, Codable, Equatable {
    public var id: AttachmentID
    public var conversationID: ConversationID
    public var fileName: String
    /// Sniffed from the bytes, never taken from the client.
    public var contentType: String
    public var size: Int
    public var sha256: String
    public var createdAt: Date
    /// Where the file is served: `<workspace>/<attachment>/<random token>`; the token makes the address unguessable.
    public var path: String

    public init(
        id: AttachmentID, conversationID: ConversationID, fileName: String, contentType: String, size: Int, sha256: String,
        createdAt: Date, path: String = ""
    ) {
        self.path = path
        self.id = id
        self.conversationID = conversationID
        self.fileName = fileName
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.createdAt = createdAt
    }

    public var isImage: Bool { contentType.hasPrefix("image/") }
}

/// Which conversations an inbox view lists.
public enum InboxView: String, Codable, Sendable, CaseIterable {
    case mine, unassigned, team, all
}
