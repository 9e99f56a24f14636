import Foundation
import KefuCore
import KefuStore
import Testing

/// The ticket tables' part of the isolation test: a ticket with a tag, a history line, a breach, a saved view, an
/// SLA policy, an idempotency key and a declared field per workspace.
extension ScopedAccessIsolationTests {
    struct SeededTickets {
        var ticket: StoredTicket
        var view: TicketView
        var policy: SLAPolicy
        var field: TicketField
    }

    func seedTickets(
        _ data: WorkspaceData, contact: Contact, user: UserAccount, article: KBArticle, slug: String, at now: Date
    ) async throws -> SeededTickets {
        let number = try await data.tickets.nextNumber()
        let ticket = Ticket(
            id: TicketID(), workspaceID: data.workspaceID, number: number, subject: "Ticket \(slug)", status: .open,
            priority: .normal, type: nil, tags: ["tag-\(slug)"], requesterID: contact.id, assigneeID: user.id, teamID: nil,
            conversationID: nil, source: .api, customFields: [:], mergedIntoID: nil, createdAt: now, updatedAt: now,
            firstResponseAt: nil, solvedAt: nil)
        var timer = SLATimer(metric: .resolution, targetSeconds: 60, warnBeforeSeconds: 0)
        timer.resume(at: now, calendar: .always)
        let stored = StoredTicket(ticket: ticket, slaPolicyID: nil, timers: [timer])
        try await data.tickets.insert(stored)
        try await data.tickets.addEvent(
            TicketEvent(
                id: TicketEventID(), ticketID: ticket.id, kind: .created, author: .requester, authorID: nil, body: slug,
                details: [:], createdAt: now))
        try await data.tickets.recordBreach(stored, metric: .resolution, dueAt: now, breachedAt: now)
        try await data.tickets.recordDeflection(article: article.id, at: now)
        let view = TicketView(
            id: TicketViewID(), workspaceID: data.workspaceID, ownerID: nil, name: "View \(slug)",
            filter: TicketFilter(statuses: [.open]), position: 0, createdAt: now)
        try await data.ticketViews.insert(view)
        let policy = SLAPolicy(
            id: SLAPolicyID(), workspaceID: data.workspaceID, name: "Policy \(slug)", teamID: nil, businessHours: false,
            warnBeforeMinutes: 5, targets: [.init(priority: .normal, firstResponseMinutes: 10, resolutionMinutes: 60)],
            enabled: true, createdAt: now, updatedAt: now)
        try await data.slaPolicies.insert(policy)
        try await data.idempotency.remember(
            scope: "tickets.create", key: "same-key", requestHash: slug, resourceID: ticket.id.uuid, at: now)
        let field = TicketField(
            id: TicketFieldID(), workspaceID: data.workspaceID, key: "reason", name: "Reason \(slug)", kind: .select,
            options: ["refund"], position: 0, createdAt: now)
        try await data.ticketFields.insert(field)
        return SeededTickets(ticket: stored, view: view, policy: policy, field: field)
    }

    func checkTickets(_ scopedA: WorkspaceData, a: Seeded, b: Seeded, at now: Date) async throws {
        let (mine, theirs) = (a.tickets.ticket, b.tickets.ticket)
        #expect(
            try await scopedA.tickets.tickets(TicketFilter(), me: nil, offset: 0, limit: 10).map(\.ticket.id) == [mine.ticket.id])
        #expect(try await scopedA.tickets.count(TicketFilter(tag: "tag-shop-b"), me: nil) == 0)
        #expect(try await scopedA.tickets.tickets(ids: [theirs.ticket.id]).isEmpty)
        #expect(try await scopedA.tickets.events(theirs.ticket.id).isEmpty)
        #expect(try await scopedA.tickets.breachCount(since: now) == 1)
        // B's article opened from A's form counts nowhere.
        try await scopedA.tickets.recordDeflection(article: b.article.id, at: now)
        #expect(try await scopedA.tickets.deflectionCount(since: now) == 1)
        #expect(try await scopedA.ticketViews.views(for: b.user.id).map(\.id) == [a.tickets.view.id])
        #expect(try await scopedA.slaPolicies.all().map(\.id) == [a.tickets.policy.id])
        #expect(try await scopedA.idempotency.find(scope: "tickets.create", key: "same-key")?.requestHash == "shop-a")
        // The numbers are per workspace: both started at 1.
        #expect(mine.ticket.number == 1 && theirs.ticket.number == 1)

        await #expect(throws: DomainError.notFound(.ticket)) { _ = try await scopedA.tickets.ticket(theirs.ticket.id) }
        await #expect(throws: DomainError.notFound(.ticket)) { _ = try await scopedA.tickets.lock(theirs.ticket.id) }
        var changed = theirs
        changed.ticket.subject = "sneaky"
        changed.ticket.tags = ["sneaky"]
        await #expect(throws: DomainError.notFound(.ticket)) { try await scopedA.tickets.save(changed) }
        await #expect(throws: DomainError.notFound(.ticket)) {
            try await scopedA.tickets.addEvent(
                TicketEvent(
                    id: TicketEventID(), ticketID: theirs.ticket.id, kind: .note, author: .agent, authorID: nil, body: "x",
                    details: [:], createdAt: now))
        }
        await #expect(throws: DomainError.notFound(.ticket)) {
            try await scopedA.tickets.recordBreach(theirs, metric: .firstResponse, dueAt: now, breachedAt: now)
        }
        await #expect(throws: DomainError.notFound(.ticketView)) { _ = try await scopedA.ticketViews.view(b.tickets.view.id) }
        var view = b.tickets.view
        view.name = "sneaky"
        try await scopedA.ticketViews.save(view)
        try await scopedA.ticketViews.delete(view.id)
        await #expect(throws: DomainError.notFound(.slaPolicy)) { _ = try await scopedA.slaPolicies.policy(b.tickets.policy.id) }
        await #expect(throws: DomainError.notFound(.slaPolicy)) { try await scopedA.slaPolicies.delete(b.tickets.policy.id) }
        var policy = b.tickets.policy
        policy.name = "sneaky"
        try await scopedA.slaPolicies.save(policy)
        // Both declared the same key; each sees its own.
        #expect(try await scopedA.ticketFields.all().map(\.id) == [a.tickets.field.id])
        await #expect(throws: DomainError.notFound(.ticketField)) { _ = try await scopedA.ticketFields.field(b.tickets.field.id) }
        var field = b.tickets.field
        field.name = "sneaky"
        await #expect(throws: DomainError.notFound(.ticketField)) { try await scopedA.ticketFields.save(field) }
        await #expect(throws: DomainError.notFound(.ticketField)) { try await scopedA.ticketFields.delete(field.id) }
    }
}
