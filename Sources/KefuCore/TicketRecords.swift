import Foundation

public typealias TicketID = TypedID<Ticket>
public typealias TicketEventID = TypedID<TicketEvent>
public typealias TicketViewID = TypedID<TicketView>
public typealias TicketPriority = ConversationPriority

/// Where a ticket stands. `new` until someone works on it; `pending` waits on the customer and `on_hold` on a third
/// party (both pause SLA clocks); `solved` may be reopened; `closed` is final.
public enum TicketStatus: String, Codable, Sendable, CaseIterable {
    case new, open, pending
    case onHold = "on_hold"
    case solved, closed

    /// SLA clocks run.
    public var isActive: Bool { self == .new || self == .open }
    /// SLA clocks wait.
    public var isWaiting: Bool { self == .pending || self == .onHold }
    public var isDone: Bool { self == .solved || self == .closed }

    /// Whether a ticket may go from this status to `next`: anything but out of `closed`.
    public func allows(_ next: TicketStatus) -> Bool { self != .closed || next == .closed }
}

public enum TicketType: String, Codable, Sendable, CaseIterable {
    case question, incident, problem, task
}

/// How the ticket came in.
public enum TicketSource: String, Codable, Sendable, CaseIterable {
    case api, portal, chat, bot, email, agent
}

/// Work someone owns: a request the bot or a chat could not finish, filed through the portal, the API or an agent.
public struct Ticket: Sendable, Codable, Equatable {
    public var id: TicketID
    public var workspaceID: WorkspaceID
    /// 1, 2, 3 … per workspace; what people quote. Never a way in: the status link is signed.
    public var number: Int
    public var subject: String
    public var status: TicketStatus
    public var priority: TicketPriority
    public var type: TicketType?
    public var tags: [String]
    public var requesterID: ContactID
    public var assigneeID: UserID?
    public var teamID: TeamID?
    public var conversationID: ConversationID?
    public var source: TicketSource
    /// Values of the workspace's custom fields, by field key.
    public var customFields: [String: String]
    /// Set when this ticket was merged into another (it is then closed).
    public var mergedIntoID: TicketID?
    public var createdAt: Date
    public var updatedAt: Date
    /// An agent's first public reply.
    public var firstResponseAt: Date?
    public var solvedAt: Date?

    public init(
        id: TicketID, workspaceID: WorkspaceID, number: Int, subject: String, status: TicketStatus,
        priority: TicketPriority, type: TicketType?, tags: [String], requesterID: ContactID, assigneeID: UserID?,
        teamID: TeamID?, conversationID: ConversationID?, source: TicketSource, customFields: [String: String],
        mergedIntoID: TicketID?, createdAt: Date, updatedAt: Date, firstResponseAt: Date?, solvedAt: Date?
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.number = number
        self.subject = subject
        self.status = status
        self.priority = priority
        self.type = type
        self.tags = tags
        self.requesterID = requesterID
        self.assigneeID = assigneeID
        self.teamID = teamID
        self.conversationID = conversationID
        self.source = source
        self.customFields = customFields
        self.mergedIntoID = mergedIntoID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.firstResponseAt = firstResponseAt
        self.solvedAt = solvedAt
    }
}

/// One line of a ticket's history: a public reply, an internal note, or a change with its before and after.
public struct TicketEvent: Sendable, Codable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case created
        /// A public reply (by an agent or the requester).
        case reply
        /// An internal note: agents only.
        case note
        case status, priority, type, tags, assignee, team, subject, fields
        case merged
        case mergedFrom = "merged_from"
        case slaWarning = "sla_warning"
        case slaBreach = "sla_breach"
    }

    public enum Author: String, Codable, Sendable, CaseIterable {
        case agent, requester, bot, system
    }

    public var id: TicketEventID
    public var ticketID: TicketID
    public var kind: Kind
    public var author: Author
    public var authorID: UserID?
    public var body: String?
    /// What changed: `from`/`to`, the SLA metric, the merged ticket's number …
    public var details: [String: String]
    public var createdAt: Date

    public init(
        id: TicketEventID, ticketID: TicketID, kind: Kind, author: Author, authorID: UserID?, body: String?,
        details: [String: String], createdAt: Date
    ) {
        self.id = id
        self.ticketID = ticketID
        self.kind = kind
        self.author = author
        self.authorID = authorID
        self.body = body
        self.details = details
        self.createdAt = createdAt
    }
}

/// Which tickets a list shows. Empty sets mean any.
public struct TicketFilter: Sendable, Codable, Equatable {
    public enum Assignee: Sendable, Codable, Equatable {
        case me, nobody
        case user(UserID)
    }

    public enum SLAState: String, Sendable, Codable, CaseIterable {
        /// A clock has passed its target.
        case breached
        /// A running clock has been warned but not breached.
        case atRisk = "at_risk"
    }

    public var statuses: [TicketStatus]
    public var priorities: [TicketPriority]
    public var assignee: Assignee?
    public var teamID: TeamID?
    public var tag: String?
    public var requesterID: ContactID?
    public var sla: SLAState?
    /// Words of the subject.
    public var query: String?

    public init(
        statuses: [TicketStatus] = [], priorities: [TicketPriority] = [], assignee: Assignee? = nil, teamID: TeamID? = nil,
        tag: String? = nil, requesterID: ContactID? = nil, sla: SLAState? = nil, query: String? = nil
    ) {
        self.statuses = statuses
        self.priorities = priorities
        self.assignee = assignee
        self.teamID = teamID
        self.tag = tag
        self.requesterID = requesterID
        self.sla = sla
        self.query = query
    }
}

/// A saved list of tickets: shared with the workspace, or one member's own.
public struct TicketView: Sendable, Codable, Equatable {
    public var id: TicketViewID
    public var workspaceID: WorkspaceID
    public var ownerID: UserID?
    public var name: String
    public var filter: TicketFilter
    public var position: Int
    public var createdAt: Date

    public init(
        id: TicketViewID, workspaceID: WorkspaceID, ownerID: UserID?, name: String, filter: TicketFilter, position: Int,
        createdAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.ownerID = ownerID
        self.name = name
        self.filter = filter
        self.position = position
        self.createdAt = createdAt
    }
}
