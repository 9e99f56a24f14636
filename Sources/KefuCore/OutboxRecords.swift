import Foundation

public typealias OutboxEntryID = TypedID<OutboxEntry>

/// A message waiting to go out on another channel than the chat: today an agent's reply to a customer who left a
/// message with their e-mail address. Stored now, sent when the e-mail channel exists.
public struct OutboxEntry: Sendable, Codable, Equatable {
    public enum Channel: String, Sendable, Codable, CaseIterable { case email }
    public enum Status: String, Sendable, Codable, CaseIterable { case pending, sent, failed }

    public var id: OutboxEntryID
    public var workspaceID: WorkspaceID
    public var channel: Channel
    public var recipient: String
    public var subject: String
    public var body: String
    public var conversationID: ConversationID?
    public var messageID: MessageID?
    /// The ticket whose public reply this is.
    public var ticketID: TicketID?
    public var status: Status
    public var attempts: Int
    public var createdAt: Date
    public var sentAt: Date?

    public init(
        id: OutboxEntryID, workspaceID: WorkspaceID, channel: Channel, recipient: String, subject: String, body: String,
        conversationID: ConversationID?, messageID: MessageID?, ticketID: TicketID? = nil, status: Status, attempts: Int,
        createdAt: Date,
        sentAt: Date?
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.channel = channel
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.conversationID = conversationID
        self.messageID = messageID
        self.ticketID = ticketID
        self.status = status
        self.attempts = attempts
        self.createdAt = createdAt
        self.sentAt = sentAt
    }
}
