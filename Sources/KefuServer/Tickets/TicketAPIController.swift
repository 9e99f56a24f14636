import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import KefuCore
import KefuStore

extension HTTPField.Name {
    // swift-format-ignore: NeverForceUnwrap
    static let idempotencyKey = Self("Idempotency-Key")!
    // swift-format-ignore: NeverForceUnwrap
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}

/// Tickets over REST: open (idempotent by key), list with filters, read with history, change one or many, reply or
/// note, merge.
struct TicketAPIController {
    let tickets: TicketService
    let views: TicketViewService
    let chatTickets: ConversationTickets
    let conversations: ConversationService

    func register(_ routes: SecuredRoutes) {
        routes.on(.post, APIPath.tickets, .workTickets, use: create)
        routes.on(.get, APIPath.tickets, .viewTickets, use: list)
        routes.on(.post, APIPath.ticketsBulk, .workTickets, use: bulk)
        routes.on(.get, APIPath.ticket, .viewTickets, use: get)
        routes.on(.patch, APIPath.ticket, .workTickets, use: update)
        routes.on(.post, APIPath.ticketComments, .workTickets, use: comment)
        routes.on(.post, APIPath.ticketMerge, .workTickets, use: merge)
        routes.on(.post, APIPath.conversationTicket, .workTickets, use: fromConversation)
    }

    struct FromConversation: Decodable {
        var subject: String?
        var priority: TicketPriority?
    }

    /// An agent's "make ticket": 201 with the chat's new ticket, or 200 with the open one it already has.
    @Sendable func fromConversation(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("conversationID", as: ConversationID.self)
        let body = try await request.decodeJSON(FromConversation.self, context: context)
        let conversation = try await conversations.conversation(context.identity, id)
        let (stored, created) = try await chatTickets.make(
            context.identity, conversation, subject: body.subject, priority: body.priority, conversations: conversations)
        var response = try await detail(context.identity, stored).response(from: request, context: context)
        response.status = created ? .created : .ok
        return response
    }

    struct New: Decodable {
        enum CodingKeys: String, CodingKey {
            case subject, body, priority, type, tags
            case requesterEmail = "requester_email"
            case requesterName = "requester_name"
            case teamID = "team_id"
            case assigneeID = "assignee_id"
            case customFields = "custom_fields"
            case conversationID = "conversation_id"
        }

        var subject: String
        var body: String
        var requesterEmail: String?
        var requesterName: String?
        var priority: TicketPriority?
        var type: TicketType?
        var tags: [String]?
        var teamID: TeamID?
        var assigneeID: UserID?
        var customFields: [String: String]?
        var conversationID: ConversationID?

        var ticket: NewTicket {
            NewTicket(
                subject: subject, body: body, requesterEmail: requesterEmail, requesterName: requesterName,
                requesterID: nil, priority: priority ?? .normal, type: type, tags: tags ?? [], teamID: teamID,
                assigneeID: assigneeID, customFields: customFields ?? [:], conversationID: conversationID,
                source: conversationID == nil ? .api : .chat)
        }
    }

    /// 201 with the ticket; the same `Idempotency-Key` again answers the same ticket (`Idempotent-Replayed: true`).
    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let body = try await request.decodeJSON(New.self, context: context)
        let identity = context.identity
        let (stored, created) = try await tickets.create(
            identity.workspace, actor: identity.user, body.ticket, idempotencyKey: request.headers[.idempotencyKey],
            visibleTo: try await tickets.visibility(identity))
        var response = try await detail(identity, stored).response(from: request, context: context)
        response.status = .created
        if !created { response.headers[.idempotentReplayed] = "true" }
        return response
    }

    struct Detail: ResponseEncodable {
        var ticket: DTO.Ticket
        var events: [DTO.TicketEvent]

        func encode(to encoder: any Encoder) throws {
            try ticket.encode(to: encoder)
            enum Keys: String, CodingKey { case events }
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(events, forKey: .events)
        }
    }

    private func detail(_ identity: Identity, _ stored: StoredTicket) async throws -> Detail {
        let (requester, events, names) = try await tickets.context(identity.workspace.id, stored, includeNotes: true)
        return Detail(
            ticket: DTO.Ticket(stored, requester: requester),
            events: events.map { DTO.TicketEvent($0, authorName: $0.authorID.flatMap { names[$0] }) })
    }

    @Sendable func get(_ request: Request, context: AuthenticatedContext) async throws -> Detail {
        let id = try context.parameters.require("ticketID", as: TicketID.self)
        return try await detail(context.identity, try await tickets.ticket(context.identity, id))
    }

    struct List: ResponseEncodable {
        var data: [DTO.Ticket]
        var total: Int
        var page: Int
        var perPage: Int

        enum CodingKeys: String, CodingKey {
            case data, total, page
            case perPage = "per_page"
        }
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> List {
        let query = request.uri.queryParameters
        // A saved view's filter, or the query's.
        let filter: TicketFilter
        if let view = query.get("view") {
            guard let id = TicketViewID(view) else { throw DomainError.notFound(.ticketView) }
            filter = try await views.view(context.identity, id).filter
        } else {
            filter = try TicketQuery.filter(query)
        }
        let page = query.get("page", as: Int.self) ?? 1
        let perPage = query.get("per_page", as: Int.self) ?? 25
        let (found, total) = try await tickets.list(context.identity, filter, page: page, perPage: perPage)
        let requesters = try await tickets.requesters(context.identity.workspace.id, found)
        return List(
            data: found.map { DTO.Ticket($0, requester: requesters[$0.ticket.requesterID]) }, total: total, page: page,
            perPage: perPage)
    }

    struct Change: Decodable {
        enum CodingKeys: String, CodingKey {
            case subject, status, priority, type, tags
            case addTags = "add_tags"
            case removeTags = "remove_tags"
            case assigneeID = "assignee_id"
            case teamID = "team_id"
            case customFields = "custom_fields"
        }

        var change = TicketChange()

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            change.subject = try c.decodeIfPresent(String.self, forKey: .subject)
            change.status = try c.decodeIfPresent(TicketStatus.self, forKey: .status)
            change.priority = try c.decodeIfPresent(TicketPriority.self, forKey: .priority)
            if c.contains(.type) { change.type = .some(try c.decodeIfPresent(TicketType.self, forKey: .type)) }
            change.tags = try c.decodeIfPresent([String].self, forKey: .tags)
            change.addTags = try c.decodeIfPresent([String].self, forKey: .addTags) ?? []
            change.removeTags = try c.decodeIfPresent([String].self, forKey: .removeTags) ?? []
            if c.contains(.assigneeID) { change.assigneeID = .some(try c.decodeIfPresent(UserID.self, forKey: .assigneeID)) }
            if c.contains(.teamID) { change.teamID = .some(try c.decodeIfPresent(TeamID.self, forKey: .teamID)) }
            change.customFields = try c.decodeIfPresent([String: String].self, forKey: .customFields)
        }
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> Detail {
        let id = try context.parameters.require("ticketID", as: TicketID.self)
        let body = try await request.decodeJSON(Change.self, context: context)
        return try await detail(context.identity, try await tickets.update(context.identity, id, body.change))
    }

    struct Bulk: Decodable {
        var ids: [TicketID]
        var change: Change
    }

    struct Updated: ResponseEncodable {
        var data: [DTO.Ticket]
    }

    @Sendable func bulk(_ request: Request, context: AuthenticatedContext) async throws -> Updated {
        let body = try await request.decodeJSON(Bulk.self, context: context)
        let updated = try await tickets.bulkUpdate(context.identity, body.ids, body.change.change)
        let requesters = try await tickets.requesters(context.identity.workspace.id, updated)
        return Updated(data: updated.map { DTO.Ticket($0, requester: requesters[$0.ticket.requesterID]) })
    }

    struct Comment: Decodable {
        var body: String
        var `public`: Bool?
    }

    @Sendable func comment(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<
        DTO.TicketEvent
    > {
        let id = try context.parameters.require("ticketID", as: TicketID.self)
        let body = try await request.decodeJSON(Comment.self, context: context)
        let event = try await tickets.comment(context.identity, id, body: body.body, isPublic: body.public ?? true)
        return EditedResponse(
            status: .created, response: DTO.TicketEvent(event, authorName: context.identity.user.displayName))
    }

    struct Merge: Decodable {
        var into: TicketID
    }

    @Sendable func merge(_ request: Request, context: AuthenticatedContext) async throws -> Detail {
        let id = try context.parameters.require("ticketID", as: TicketID.self)
        let body = try await request.decodeJSON(Merge.self, context: context)
        return try await detail(context.identity, try await tickets.merge(context.identity, id, into: body.into))
    }
}

/// The list filters of `GET /api/v1/tickets` (the views store the same `TicketFilter`).
enum TicketQuery {
    static func filter(_ query: FlatDictionary<Substring, Substring>) throws -> TicketFilter {
        var errors = ValidationErrors()
        func list<T: RawRepresentable>(_ name: String, _ type: T.Type) -> [T] where T.RawValue == String {
            guard let raw = query.get(name), !raw.isEmpty else { return [] }
            return raw.split(separator: ",").compactMap { part in
                guard let value = T(rawValue: String(part)) else {
                    errors.add(name, .pattern)
                    return nil
                }
                return value
            }
        }
        var filter = TicketFilter(statuses: list("status", TicketStatus.self), priorities: list("priority", TicketPriority.self))
        if let assignee = query.get("assignee") {
            switch assignee {
            case "me": filter.assignee = .me
            case "none": filter.assignee = .nobody
            default:
                if let id = UserID(assignee) { filter.assignee = .user(id) } else { errors.add("assignee", .pattern) }
            }
        }
        if let team = query.get("team") {
            if let id = TeamID(team) { filter.teamID = id } else { errors.add("team", .uuid) }
        }
        if let requester = query.get("requester") {
            if let id = ContactID(requester) { filter.requesterID = id } else { errors.add("requester", .uuid) }
        }
        if let sla = query.get("sla") {
            if let state = TicketFilter.SLAState(rawValue: sla) { filter.sla = state } else { errors.add("sla", .pattern) }
        }
        filter.tag = query.get("tag").map { $0.lowercased() }
        filter.query = query.get("q")
        try errors.throwIfAny()
        return filter
    }
}
