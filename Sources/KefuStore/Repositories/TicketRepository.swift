import Foundation
import KefuCore
import SQLKit

/// A ticket with its SLA clocks as stored.
public struct StoredTicket: Sendable, Equatable {
    public var ticket: Ticket
    public var slaPolicyID: SLAPolicyID?
    public var timers: [SLATimer]

    public init(ticket: Ticket, slaPolicyID: SLAPolicyID?, timers: [SLATimer]) {
        self.ticket = ticket
        self.slaPolicyID = slaPolicyID
        self.timers = timers
    }

    /// What the views filter on: a clock past its target, else one warned.
    public var slaState: TicketFilter.SLAState? {
        if timers.contains(where: { $0.breachedAt != nil && $0.state != .stopped }) { return .breached }
        if timers.contains(where: { $0.warnedAt != nil && $0.state == .running }) { return .atRisk }
        return nil
    }
}

/// The bound workspace's tickets, their tags and history.
public protocol TicketRepository: Sendable {
    /// The next ticket number of the workspace (1, 2, 3 …); inside the creating transaction.
    func nextNumber() async throws -> Int
    func insert(_ ticket: StoredTicket) async throws
    func ticket(_ id: TicketID) async throws -> StoredTicket
    /// The ticket with this number, if any.
    func ticket(number: Int) async throws -> StoredTicket?
    /// The newest ticket made from this conversation that is not closed, if any.
    func ticket(conversation: ConversationID) async throws -> StoredTicket?
    /// The ticket, locked for a change until the transaction ends (PostgreSQL; SQLite has one writer).
    func lock(_ id: TicketID) async throws -> StoredTicket
    func tickets(ids: [TicketID]) async throws -> [StoredTicket]
    /// Writes every field a change may touch, the tags and the SLA columns.
    func save(_ ticket: StoredTicket) async throws
    /// Writes only the SLA clocks and what is derived from them (the sweep's write).
    func saveClocks(_ ticket: StoredTicket) async throws
    /// Several tickets, locked for a change until the transaction ends (PostgreSQL, in id order).
    func lock(ids: [TicketID]) async throws -> [StoredTicket]
    /// Newest activity first; `me` is who `assignee: .me` means.
    /// Tickets matching the filter that `visibleTo` sees (nil: all), newest change first.
    func tickets(_ filter: TicketFilter, me: UserID?, visibleTo: ConversationVisibility?, offset: Int, limit: Int)
        async throws -> [StoredTicket]
    func count(_ filter: TicketFilter, me: UserID?, visibleTo: ConversationVisibility?) async throws -> Int
    func addEvent(_ event: TicketEvent) async throws
    func events(_ ticket: TicketID) async throws -> [TicketEvent]
    /// Records a breach for reports (once per clock and due instant).
    func recordBreach(_ ticket: StoredTicket, metric: SLAMetric, dueAt: Date, breachedAt: Date) async throws
    func breachCount(since: Date) async throws -> Int
    /// A help-center article a visitor opened from the ticket form's suggestions (a ticket perhaps not filed).
    func recordDeflection(article: ArticleID, at: Date) async throws
    func deflectionCount(since: Date) async throws -> Int
}

extension TicketRepository {
    /// Every ticket matching the filter, whoever reads (the sweep, reports, tests).
    public func tickets(_ filter: TicketFilter, me: UserID?, offset: Int, limit: Int) async throws -> [StoredTicket] {
        try await tickets(filter, me: me, visibleTo: nil, offset: offset, limit: limit)
    }

    public func count(_ filter: TicketFilter, me: UserID?) async throws -> Int {
        try await count(filter, me: me, visibleTo: nil)
    }
}

struct SQLTicketRepository: TicketRepository {
    let scope: WorkspaceScope

    private var sql: any SQLDatabase { get throws { try scope.sql } }
    private var workspace: UUID { scope.workspaceID.uuid }

    func nextNumber() async throws -> Int {
        let row = try await sql.raw(
            "UPDATE workspaces SET last_ticket_number = last_ticket_number + 1 WHERE id = \(bind: workspace) RETURNING last_ticket_number"
        ).first()
        guard let row else { throw DomainError.notFound(.workspace) }
        return try row.decode(column: "last_ticket_number", as: Int.self)
    }

    func insert(_ stored: StoredTicket) async throws {
        let t = stored.ticket
        try await sql.raw(
            """
            INSERT INTO tickets (id, workspace_id, number, subject, status, priority, type, requester_id, assignee_id, \
            team_id, conversation_id, source, custom_fields, merged_into_id, sla_policy_id, sla_timers, sla_next_check_at, \
            sla_state, created_at, updated_at, first_response_at, solved_at) VALUES (\(bind: t.id.uuid), \(bind: workspace), \
            \(bind: t.number), \(bind: t.subject), \(bind: t.status.rawValue), \(bind: t.priority.rawValue), \
            \(bind: t.type?.rawValue), \(bind: t.requesterID.uuid), \(bind: t.assigneeID?.uuid), \(bind: t.teamID?.uuid), \
            \(bind: t.conversationID?.uuid), \(bind: t.source.rawValue), \(bind: StoredJSON.encode(t.customFields)), \
            \(bind: t.mergedIntoID?.uuid), \(bind: stored.slaPolicyID?.uuid), \(bind: StoredJSON.encode(stored.timers)), \
            \(bind: TicketSLA.nextCheckAt(stored.timers)), \(bind: stored.slaState?.rawValue), \(bind: t.createdAt), \
            \(bind: t.updatedAt), \(bind: t.firstResponseAt), \(bind: t.solvedAt))
            """
        ).run()
        try await writeTags(t.id, t.tags, replacing: false)
    }

    func ticket(_ id: TicketID) async throws -> StoredTicket { try await row(id, lock: false) }

    func lock(_ id: TicketID) async throws -> StoredTicket { try await row(id, lock: true) }

    func ticket(conversation: ConversationID) async throws -> StoredTicket? {
        guard
            let row = try await sql.raw(
                """
                SELECT * FROM tickets WHERE workspace_id = \(bind: workspace) AND conversation_id = \(bind: conversation.uuid) \
                AND status <> 'closed' ORDER BY number DESC LIMIT 1
                """
            ).first(decoding: TicketRow.self)
        else { return nil }
        return try await withTags([row])[0]
    }

    func ticket(number: Int) async throws -> StoredTicket? {
        guard
            let row = try await sql.raw(
                "SELECT * FROM tickets WHERE workspace_id = \(bind: workspace) AND number = \(bind: number)"
            ).first(decoding: TicketRow.self)
        else { return nil }
        return try await withTags([row])[0]
    }

    private func row(_ id: TicketID, lock: Bool) async throws -> StoredTicket {
        let sql = try sql
        let suffix: SQLQueryString = lock && sql.dialect.name != "sqlite" ? " FOR UPDATE" : ""
        guard
            let row = try await sql.raw(
                "SELECT * FROM tickets WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: workspace)\(suffix)"
            ).first(decoding: TicketRow.self)
        else { throw DomainError.notFound(.ticket) }
        return try await withTags([row])[0]
    }

    func tickets(ids: [TicketID]) async throws -> [StoredTicket] {
        guard !ids.isEmpty else { return [] }
        let rows = try await sql.raw(
            "SELECT * FROM tickets WHERE workspace_id = \(bind: workspace) AND id IN (\(binds: ids.map(\.uuid)))"
        ).all(decoding: TicketRow.self)
        return try await withTags(rows)
    }

    /// Writes that name a ticket by id check it is the workspace's first, so nothing lands beside another's ticket.
    private func requireOwned(_ id: TicketID) async throws {
        let found = try await sql.raw(
            "SELECT id FROM tickets WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: workspace)"
        ).first()
        guard found != nil else { throw DomainError.notFound(.ticket) }
    }

    func saveClocks(_ stored: StoredTicket) async throws {
        try await sql.raw(
            """
            UPDATE tickets SET sla_timers = \(bind: StoredJSON.encode(stored.timers)), \
            sla_next_check_at = \(bind: TicketSLA.nextCheckAt(stored.timers)), sla_state = \(bind: stored.slaState?.rawValue) \
            WHERE id = \(bind: stored.ticket.id.uuid) AND workspace_id = \(bind: workspace)
            """
        ).run()
    }

    func lock(ids: [TicketID]) async throws -> [StoredTicket] {
        guard !ids.isEmpty else { return [] }
        let sql = try sql
        let suffix: SQLQueryString = sql.dialect.name != "sqlite" ? " ORDER BY id FOR UPDATE" : ""
        let rows = try await sql.raw(
            "SELECT * FROM tickets WHERE workspace_id = \(bind: workspace) AND id IN (\(binds: ids.map(\.uuid)))\(suffix)"
        ).all(decoding: TicketRow.self)
        return try await withTags(rows)
    }

    func save(_ stored: StoredTicket) async throws {
        let t = stored.ticket
        try await requireOwned(t.id)
        try await sql.raw(
            """
            UPDATE tickets SET subject = \(bind: t.subject), status = \(bind: t.status.rawValue), \
            priority = \(bind: t.priority.rawValue), type = \(bind: t.type?.rawValue), \
            requester_id = \(bind: t.requesterID.uuid), assignee_id = \(bind: t.assigneeID?.uuid), \
            team_id = \(bind: t.teamID?.uuid), custom_fields = \(bind: StoredJSON.encode(t.customFields)), \
            merged_into_id = \(bind: t.mergedIntoID?.uuid), sla_policy_id = \(bind: stored.slaPolicyID?.uuid), \
            sla_timers = \(bind: StoredJSON.encode(stored.timers)), \
            sla_next_check_at = \(bind: TicketSLA.nextCheckAt(stored.timers)), sla_state = \(bind: stored.slaState?.rawValue), \
            updated_at = \(bind: t.updatedAt), first_response_at = \(bind: t.firstResponseAt), solved_at = \(bind: t.solvedAt) \
            WHERE id = \(bind: t.id.uuid) AND workspace_id = \(bind: workspace)
            """
        ).run()
        try await writeTags(t.id, t.tags, replacing: true)
    }

    func tickets(_ filter: TicketFilter, me: UserID?, visibleTo: ConversationVisibility?, offset: Int, limit: Int)
        async throws -> [StoredTicket]
    {
        let query =
            "SELECT t.* FROM " + from(filter) + " WHERE " + where_(filter, me: me, visibleTo: visibleTo)
            + " ORDER BY t.updated_at DESC, t.number DESC LIMIT \(literal: limit) OFFSET \(literal: offset)"
        return try await withTags(try await sql.raw(query).all(decoding: TicketRow.self))
    }

    func count(_ filter: TicketFilter, me: UserID?, visibleTo: ConversationVisibility?) async throws -> Int {
        let row = try await sql.raw(
            "SELECT COUNT(*) AS n FROM " + from(filter) + " WHERE " + where_(filter, me: me, visibleTo: visibleTo)
        ).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// A tag filter starts from the tag's rows (a few percent of the tickets) instead of probing every ticket.
    private func from(_ filter: TicketFilter) -> SQLQueryString {
        filter.tag == nil ? "tickets t" : "ticket_tags g JOIN tickets t ON t.id = g.ticket_id"
    }

    private func where_(_ filter: TicketFilter, me: UserID?, visibleTo: ConversationVisibility?) -> SQLQueryString {
        var query: SQLQueryString = "t.workspace_id = \(bind: workspace)"
        if let seen = visibleTo?.condition("t") { query = query + " AND " + seen }
        if !filter.statuses.isEmpty { query = query + " AND t.status IN (\(binds: filter.statuses.map(\.rawValue)))" }
        if !filter.priorities.isEmpty { query = query + " AND t.priority IN (\(binds: filter.priorities.map(\.rawValue)))" }
        switch filter.assignee {
        case .me: query = query + " AND t.assignee_id = \(bind: (me ?? UserID()).uuid)"
        case .nobody: query = query + " AND t.assignee_id IS NULL"
        case .user(let id): query = query + " AND t.assignee_id = \(bind: id.uuid)"
        case nil: break
        }
        if let team = filter.teamID { query = query + " AND t.team_id = \(bind: team.uuid)" }
        if let requester = filter.requesterID { query = query + " AND t.requester_id = \(bind: requester.uuid)" }
        if let sla = filter.sla { query = query + " AND t.sla_state = \(bind: sla.rawValue)" }
        if let tag = filter.tag { query = query + " AND g.workspace_id = \(bind: workspace) AND g.tag = \(bind: tag)" }
        if let words = filter.query?.trimmingCharacters(in: .whitespacesAndNewlines), !words.isEmpty {
            let pattern = "%" + Self.escapeLike(words.lowercased()) + "%"
            query = query + " AND LOWER(t.subject) LIKE \(bind: pattern) ESCAPE '\\'"
        }
        return query
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }

    private func withTags(_ rows: [TicketRow]) async throws -> [StoredTicket] {
        guard !rows.isEmpty else { return [] }
        struct TagRow: Decodable {
            var ticket_id: UUID
            var tag: String
        }
        let tags = try await sql.raw(
            "SELECT ticket_id, tag FROM ticket_tags WHERE workspace_id = \(bind: workspace) AND ticket_id IN (\(binds: rows.map(\.id))) ORDER BY tag"
        ).all(decoding: TagRow.self)
        let byTicket = Dictionary(grouping: tags, by: \.ticket_id)
        return try rows.map { try $0.stored(tags: byTicket[$0.id]?.map(\.tag) ?? []) }
    }

    private func writeTags(_ ticket: TicketID, _ tags: [String], replacing: Bool) async throws {
        if replacing {
            try await sql.raw(
                "DELETE FROM ticket_tags WHERE ticket_id = \(bind: ticket.uuid) AND workspace_id = \(bind: workspace)"
            ).run()
        }
        for tag in Set(tags) {
            try await sql.raw(
                "INSERT INTO ticket_tags (id, ticket_id, workspace_id, tag) VALUES (\(bind: UUID()), \(bind: ticket.uuid), \(bind: workspace), \(bind: tag))"
            ).run()
        }
    }

    func addEvent(_ event: TicketEvent) async throws {
        try await requireOwned(event.ticketID)
        try await sql.raw(
            """
            INSERT INTO ticket_events (id, workspace_id, ticket_id, kind, author, author_id, body, details, created_at) \
            VALUES (\(bind: event.id.uuid), \(bind: workspace), \(bind: event.ticketID.uuid), \(bind: event.kind.rawValue), \
            \(bind: event.author.rawValue), \(bind: event.authorID?.uuid), \(bind: event.body), \
            \(bind: StoredJSON.encode(event.details)), \(bind: event.createdAt))
            """
        ).run()
    }

    func events(_ ticket: TicketID) async throws -> [TicketEvent] {
        try await sql.raw(
            """
            SELECT * FROM ticket_events WHERE ticket_id = \(bind: ticket.uuid) AND workspace_id = \(bind: workspace) \
            ORDER BY created_at, id
            """
        ).all(decoding: TicketEventRow.self).map { try $0.record() }
    }

    func recordBreach(_ stored: StoredTicket, metric: SLAMetric, dueAt: Date, breachedAt: Date) async throws {
        try await requireOwned(stored.ticket.id)
        try await sql.raw(
            """
            INSERT INTO sla_breaches (id, workspace_id, ticket_id, metric, priority, team_id, due_at, breached_at) \
            VALUES (\(bind: UUID()), \(bind: workspace), \(bind: stored.ticket.id.uuid), \(bind: metric.rawValue), \
            \(bind: stored.ticket.priority.rawValue), \(bind: stored.ticket.teamID?.uuid), \(bind: dueAt), \(bind: breachedAt)) \
            ON CONFLICT (ticket_id, metric, due_at) DO NOTHING
            """
        ).run()
    }

    func recordDeflection(article: ArticleID, at: Date) async throws {
        try await sql.raw(
            """
            INSERT INTO ticket_deflections (id, workspace_id, article_id, created_at) SELECT \(bind: UUID()), \
            \(bind: workspace), id, \(bind: at) FROM kb_articles WHERE id = \(bind: article.uuid) \
            AND workspace_id = \(bind: workspace)
            """
        ).run()
    }

    func deflectionCount(since: Date) async throws -> Int {
        let row = try await sql.raw(
            "SELECT COUNT(*) AS n FROM ticket_deflections WHERE workspace_id = \(bind: workspace) AND created_at >= \(bind: since)"
        ).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    func breachCount(since: Date) async throws -> Int {
        let row = try await sql.raw(
            "SELECT COUNT(*) AS n FROM sla_breaches WHERE workspace_id = \(bind: workspace) AND breached_at >= \(bind: since)"
        ).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }
}
