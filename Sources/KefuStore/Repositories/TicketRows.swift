import Foundation
import KefuCore

struct TicketRow: Decodable {
    var id: UUID
    var workspace_id: UUID
    var number: Int
    var subject: String
    var status: String
    var priority: String
    var type: String?
    var requester_id: UUID
    var assignee_id: UUID?
    var team_id: UUID?
    var conversation_id: UUID?
    var source: String
    var custom_fields: String
    var merged_into_id: UUID?
    var sla_policy_id: UUID?
    var sla_timers: String
    var created_at: Date
    var updated_at: Date
    var first_response_at: Date?
    var solved_at: Date?

    func stored(tags: [String]) throws -> StoredTicket {
        let table = "tickets"
        let ticket = Ticket(
            id: TicketID(id), workspaceID: WorkspaceID(workspace_id), number: number, subject: subject,
            status: try decodeStored(TicketStatus.self, status, table: table, column: "status"),
            priority: try decodeStored(TicketPriority.self, priority, table: table, column: "priority"),
            type: try type.map { try decodeStored(TicketType.self, $0, table: table, column: "type") }, tags: tags,
            requesterID: ContactID(requester_id), assigneeID: assignee_id.map(UserID.init), teamID: team_id.map(TeamID.init),
            conversationID: conversation_id.map(ConversationID.init),
            source: try decodeStored(TicketSource.self, source, table: table, column: "source"),
            customFields: try StoredJSON.decode([String: String].self, custom_fields, table: table, column: "custom_fields"),
            mergedIntoID: merged_into_id.map(TicketID.init), createdAt: created_at, updatedAt: updated_at,
            firstResponseAt: first_response_at, solvedAt: solved_at)
        return StoredTicket(
            ticket: ticket, slaPolicyID: sla_policy_id.map(SLAPolicyID.init),
            timers: try StoredJSON.decode([SLATimer].self, sla_timers, table: table, column: "sla_timers"))
    }
}

struct TicketEventRow: Decodable {
    var id: UUID
    var ticket_id: UUID
    var kind: String
    var author: String
    var author_id: UUID?
    var body: String?
    var details: String
    var created_at: Date

    func record() throws -> TicketEvent {
        let table = "ticket_events"
        return TicketEvent(
            id: TicketEventID(id), ticketID: TicketID(ticket_id),
            kind: try decodeStored(TicketEvent.Kind.self, kind, table: table, column: "kind"),
            author: try decodeStored(TicketEvent.Author.self, author, table: table, column: "author"),
            authorID: author_id.map(UserID.init), body: body,
            details: try StoredJSON.decode([String: String].self, details, table: table, column: "details"),
            createdAt: created_at)
    }
}
