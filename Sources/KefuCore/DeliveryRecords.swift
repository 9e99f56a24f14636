import Foundation

public typealias DeliveryID = TypedID<Delivery>

/// Something that leaves the process for a receiver outside it — an e-mail, a webhook call — queued durably in the
/// same transaction as the change that caused it and sent by the delivery worker until it is delivered or dead.
/// Its id is stable across attempts: receivers drop duplicates by it (`X-Kefu-Delivery`, the mail's `Message-ID`).
public struct Delivery: Sendable, Codable, Equatable {
    public enum Channel: String, Sendable, Codable, CaseIterable { case email, webhook }
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Waiting for its next attempt (`nextAttemptAt`).
        case queued
        /// A worker holds it now; if that worker dies, its lease runs out and another takes it.
        case sending
        case delivered
        /// Refused for good or out of attempts; an admin may queue it again.
        case dead
    }

    public var id: DeliveryID
    public var workspaceID: WorkspaceID
    public var channel: Channel
    /// What caused it: `conversation.reply`, `ticket.reply`, `ticket.created`, `sla.warning`, `sla.breach`, `test`.
    public var event: String
    /// The e-mail address or the URL it goes to.
    public var target: String
    /// The mail's subject; empty for webhooks.
    public var subject: String
    /// What a person wrote that this carries (the agent's reply), for lists; the whole event for webhooks.
    public var body: String
    /// What is sent: the mail's text and HTML (`MailContent` JSON) or the webhook's JSON body.
    public var payload: String
    public var status: Status
    public var attempts: Int
    public var maxAttempts: Int
    public var nextAttemptAt: Date?
    public var lastError: String?
    /// Mails of one thread (`ticket:<id>`, `conversation:<id>`) refer to each other so mail clients group them.
    public var threadKey: String?
    public var conversationID: ConversationID?
    public var ticketID: TicketID?
    public var messageID: MessageID?
    public var createdAt: Date
    public var updatedAt: Date
    public var deliveredAt: Date?

    public init(
        id: DeliveryID, workspaceID: WorkspaceID, channel: Channel, event: String, target: String, subject: String,
        body: String, payload: String, status: Status, attempts: Int, maxAttempts: Int, nextAttemptAt: Date?, lastError: String?,
        threadKey: String?, conversationID: ConversationID?, ticketID: TicketID?, messageID: MessageID?, createdAt: Date,
        updatedAt: Date,
        deliveredAt: Date?
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.channel = channel
        self.event = event
        self.target = target
        self.subject = subject
        self.body = body
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.threadKey = threadKey
        self.conversationID = conversationID
        self.ticketID = ticketID
        self.messageID = messageID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deliveredAt = deliveredAt
    }
}

/// A delivery to queue.
public struct NewDelivery: Sendable, Equatable {
    public var channel: Delivery.Channel
    public var event: String
    public var target: String
    public var subject: String
    public var body: String
    public var payload: String
    public var threadKey: String?
    public var conversationID: ConversationID?
    public var ticketID: TicketID?
    public var messageID: MessageID?
    public var maxAttempts: Int

    /// Ten attempts with doubling waits cover a receiver that is away for about an hour.
    public static let defaultMaxAttempts = 10

    public init(
        channel: Delivery.Channel, event: String, target: String, subject: String = "", body: String, payload: String,
        threadKey: String? = nil, conversationID: ConversationID? = nil, ticketID: TicketID? = nil,
        messageID: MessageID? = nil, maxAttempts: Int = NewDelivery.defaultMaxAttempts
    ) {
        self.channel = channel
        self.event = event
        self.target = target
        self.subject = subject
        self.body = body
        self.payload = payload
        self.threadKey = threadKey
        self.conversationID = conversationID
        self.ticketID = ticketID
        self.messageID = messageID
        self.maxAttempts = maxAttempts
    }
}

/// An e-mail's content, rendered from one template when it is queued: plain text and the same in HTML.
public struct MailContent: Sendable, Codable, Equatable {
    public var text: String
    public var html: String
    /// The name the mail is from (the workspace's); the address is the server's or the workspace's sender.
    public var fromName: String?

    public init(text: String, html: String, fromName: String? = nil) {
        self.text = text
        self.html = html
        self.fromName = fromName
    }
}
