import Foundation
import Hummingbird
import KefuCore
import KefuStore

extension DTO {
    /// A ticket as the API shows it, with its SLA clocks.
    struct Ticket: Encodable, Sendable {
        enum CodingKeys: String, CodingKey {
            case id, number, subject, status, priority, type, tags, requester, source, sla
            case assigneeID = "assignee_id"
            case teamID = "team_id"
            case conversationID = "conversation_id"
            case customFields = "custom_fields"
            case mergedIntoID = "merged_into_id"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
            case firstResponseAt = "first_response_at"
            case solvedAt = "solved_at"
        }

        var id: TicketID
        var number: Int
        var subject: String
        var status: TicketStatus
        var priority: TicketPriority
        var type: TicketType?
        var tags: [String]
        var requester: Requester
        var assigneeID: UserID?
        var teamID: TeamID?
        var conversationID: ConversationID?
        var source: TicketSource
        var customFields: [String: String]
        var mergedIntoID: TicketID?
        var createdAt: Date
        var updatedAt: Date
        var firstResponseAt: Date?
        var solvedAt: Date?
        var sla: [SLAClock]

        init(_ stored: StoredTicket, requester: Contact?) {
            let t = stored.ticket
            id = t.id
            number = t.number
            subject = t.subject
            status = t.status
            priority = t.priority
            type = t.type
            tags = t.tags
            self.requester = Requester(id: t.requesterID, name: requester?.name, email: requester?.email)
            assigneeID = t.assigneeID
            teamID = t.teamID
            conversationID = t.conversationID
            source = t.source
            customFields = t.customFields
            mergedIntoID = t.mergedIntoID
            createdAt = t.createdAt
            updatedAt = t.updatedAt
            firstResponseAt = t.firstResponseAt
            solvedAt = t.solvedAt
            sla = stored.timers.map(SLAClock.init)
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(number, forKey: .number)
            try c.encode(subject, forKey: .subject)
            try c.encode(status, forKey: .status)
            try c.encode(priority, forKey: .priority)
            try c.encode(type, forKey: .type)
            try c.encode(tags, forKey: .tags)
            try c.encode(requester, forKey: .requester)
            try c.encode(assigneeID, forKey: .assigneeID)
            try c.encode(teamID, forKey: .teamID)
            try c.encode(conversationID, forKey: .conversationID)
            try c.encode(source, forKey: .source)
            try c.encode(customFields, forKey: .customFields)
            try c.encode(mergedIntoID, forKey: .mergedIntoID)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(updatedAt, forKey: .updatedAt)
            try c.encode(firstResponseAt, forKey: .firstResponseAt)
            try c.encode(solvedAt, forKey: .solvedAt)
            try c.encode(sla, forKey: .sla)
        }
    }

    struct Requester: Encodable, Sendable {
        var id: ContactID
        var name: String?
        var email: String?
    }

    /// One SLA clock: its target, where it stands, when it is due, and whether it warned or breached.
    struct SLAClock: Encodable, Sendable {
        enum CodingKeys: String, CodingKey {
            case metric, state
            case targetMinutes = "target_minutes"
            case dueAt = "due_at"
            case warnedAt = "warned_at"
            case breachedAt = "breached_at"
            case stoppedAt = "stopped_at"
        }

        var metric: SLAMetric
        var state: String
        var targetMinutes: Int
        var dueAt: Date?
        var warnedAt: Date?
        var breachedAt: Date?
        var stoppedAt: Date?

        init(_ timer: SLATimer) {
            metric = timer.metric
            state = timer.state.rawValue
            targetMinutes = timer.targetSeconds / 60
            dueAt = timer.dueAt
            warnedAt = timer.warnedAt
            breachedAt = timer.breachedAt
            stoppedAt = timer.stoppedAt
        }
    }

    /// A line of a ticket's history.
    struct TicketEvent: ResponseEncodable, Sendable {
        enum CodingKeys: String, CodingKey {
            case id, kind, author, body, details
            case authorID = "author_id"
            case authorName = "author_name"
            case createdAt = "created_at"
        }

        var id: TicketEventID
        var kind: KefuCore.TicketEvent.Kind
        var author: KefuCore.TicketEvent.Author
        var authorID: UserID?
        var authorName: String?
        var body: String?
        var details: [String: String]
        var createdAt: Date

        init(_ event: KefuCore.TicketEvent, authorName: String?) {
            id = event.id
            kind = event.kind
            author = event.author
            authorID = event.authorID
            self.authorName = authorName
            body = event.body
            details = event.details
            createdAt = event.createdAt
        }
    }
}
