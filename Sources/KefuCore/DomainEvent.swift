import Foundation

/// Something that happened which other parts of the system (on this instance or, later, on others) react to.
public enum DomainEvent: Sendable, Equatable {
    /// Who may do what in a workspace changed: a credential, a membership, a role or the workspace profile that
    /// signed-in identities carry. Caches of resolved identities drop what they hold.
    case accessChanged(WorkspaceID)
    /// Something happened in one of the workspace's conversations.
    case chat(WorkspaceID, ChatEvent)
    /// An agent's availability changed: `online`, `away` (their choice) or `offline` (no console open).
    case presence(WorkspaceID, UserID, status: String)
    /// A ticket's SLA clock raised a warning or a breach: agents' consoles show it at once.
    case ticketAlert(WorkspaceID, TicketAlertNotice)
    /// This instance may have missed events of other instances (its listening connection dropped): whoever keeps
    /// state from events reads it again from the database.
    case resync
}

/// What happened in a conversation, for every socket watching it on any instance. The stored row is the truth: a
/// receiver that sees a sequence number beyond the next one reads the gap from the database.
public enum ChatEvent: Sendable, Equatable {
    /// A message was stored; the conversation as it is after the append.
    case message(ChatMessage, Conversation)
    /// Status, assignee, team, priority, tags or hand-off changed.
    case conversation(Conversation)
    /// Someone is typing (or stopped); `from` is `customer` or `agent:<user id>`.
    case typing(ConversationID, from: String, name: String?, isTyping: Bool)
    /// A participant (`customer` or `agent:<user id>`) has read up to `seq`.
    case read(ConversationID, participant: String, seq: Int64)
    /// The waiting customer's place in their team's queue; nil once an agent has the chat or it left the queue.
    case queue(ConversationID, QueueStanding?)

    public var conversationID: ConversationID {
        switch self {
        case .message(let message, _): message.conversationID
        case .conversation(let conversation): conversation.id
        case .typing(let id, _, _, _), .read(let id, _, _), .queue(let id, _): id
        }
    }
}

/// What agents are told live about an SLA alert.
public struct TicketAlertNotice: Sendable, Equatable {
    public var ticketID: TicketID
    public var number: Int
    public var metric: SLAMetric
    public var alert: SLAAlert
    public var dueAt: Date?

    public init(ticketID: TicketID, number: Int, metric: SLAMetric, alert: SLAAlert, dueAt: Date?) {
        self.ticketID = ticketID
        self.number = number
        self.metric = metric
        self.alert = alert
        self.dueAt = dueAt
    }
}
