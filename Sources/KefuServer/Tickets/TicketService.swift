import Foundation
import KefuCore
import KefuStore

/// Tickets: opening them from every source (idempotent by key), reading, changing with history, and the SLA clocks
/// that follow each change. Time is the business clock (the test clock when the server runs with one), so SLA tests
/// move it like routing's.
struct TicketService: Sendable {
    let store: Store
    let clock: WallClock
    /// The sensitive-word list every published subject, body and reply passes.
    let words: SensitiveWordFilter
    let alerts: SLAAlerts
    /// Public replies go to the requester by e-mail.
    let mail: OutgoingMail

    static let idempotencyScope = "tickets.create"
    /// Keys sent by anonymous visitors (the help center) live apart from members' keys: one never replays the other.
    static let publicIdempotencyScope = "tickets.create.public"

    /// The ticket fields the workspace declared.
    func declaredFields(_ workspace: WorkspaceID) async throws -> [TicketField] {
        try await store.scoped(to: workspace).ticketFields.all()
    }

    /// Opens a ticket; with an idempotency key, a request already made answers its ticket (`created` false) and the
    /// same key with another request is refused.
    /// `visibleTo` is what the member opening it sees (nil for the help center, the bot and the system): they cannot
    /// file a ticket for a customer, or link a conversation, they may not see.
    /// With `oncePerConversation` a chat's open ticket is answered instead of a second one, decided under the
    /// conversation's lock (two agents pressing "make ticket" at once get one ticket).
    func create(
        _ workspace: Workspace, actor: UserAccount?, _ wanted: NewTicket, idempotencyKey: String?,
        visibleTo: ConversationVisibility? = nil, oncePerConversation: Bool = false
    ) async throws -> (ticket: StoredTicket, created: Bool) {
        let key = try TicketRules.idempotencyKey(idempotencyKey)
        let (new, flags) = try await screened(validated(wanted), workspace: workspace.id, byAgent: actor != nil)
        let data = store.scoped(to: workspace.id)
        let scope = actor == nil ? Self.publicIdempotencyScope : Self.idempotencyScope
        if let key, let replay = try await replayed(data, scope: scope, key: key, new) { return (replay, false) }
        do {
            let stored = try await data.transaction { [clock] data in
                if let key, let replay = try await replayed(data, scope: scope, key: key, new) { return (replay, false) }
                if oncePerConversation, let conversation = new.conversationID {
                    _ = try await data.conversations.lock(conversation)
                    if let open = try await data.tickets.ticket(conversation: conversation) { return (open, false) }
                }
                let now = clock.now()
                let stored = try await insert(data, new, actor: actor, visibleTo: visibleTo, flags: flags, at: now)
                if let key {
                    try await data.idempotency.remember(
                        scope: scope, key: key, requestHash: new.fingerprint, resourceID: stored.ticket.id.uuid,
                        at: now)
                }
                return (stored, true)
            }
            return stored
        } catch DomainError.conflict(.duplicateRequest) {
            // A twin with the same key committed first (PostgreSQL): answer its ticket.
            guard let key, let replay = try await replayed(data, scope: scope, key: key, new) else {
                throw DomainError.conflict(.busy)
            }
            return (replay, false)
        }
    }

    private func replayed(_ data: WorkspaceData, scope: String, key: String, _ new: NewTicket) async throws -> StoredTicket? {
        guard let found = try await data.idempotency.find(scope: scope, key: key) else { return nil }
        guard found.requestHash == new.fingerprint else { throw DomainError.conflict(.idempotencyKeyReused) }
        return try await data.tickets.ticket(TicketID(found.resourceID))
    }

    private func validated(_ wanted: NewTicket) throws -> NewTicket {
        var new = wanted
        var errors = ValidationErrors()
        func check(_ field: String, _ body: () throws -> Void) {
            do { try body() } catch let issue as ValidationErrors {
                for (name, kind) in issue.issues { errors.add(name, kind) }
            } catch { errors.add(field, .pattern) }
        }
        check("subject") { new.subject = try TicketRules.subject(wanted.subject) }
        check("body") { new.body = try TicketRules.body(wanted.body) }
        check("tags") { new.tags = try TicketRules.tags(wanted.tags) }
        check("custom_fields") { new.customFields = try TicketRules.customFields(wanted.customFields) }
        if let email = wanted.requesterEmail {
            new.requesterEmail = Validate.normalizedEmail(email)
            if !Validate.email(email) { errors.add("requester_email", .email) }
        }
        if let name = wanted.requesterName {
            check("requester_name") { new.requesterName = try Validate.name(name, field: "requester_name") }
        }
        if new.requesterEmail == nil && new.requesterID == nil { errors.add("requester_email", .required) }
        try errors.throwIfAny()
        return new
    }

    private func insert(
        _ data: WorkspaceData, _ new: NewTicket, actor: UserAccount?, visibleTo: ConversationVisibility?, flags: [String],
        at now: Date
    ) async throws -> StoredTicket {
        let requester = try await requester(data, new, visibleTo: visibleTo, at: now)
        if let team = new.teamID, try await !data.teams.list().contains(where: { $0.id == team }) {
            throw DomainError.notFound(.team)
        }
        if let assignee = new.assigneeID, try await data.members.membership(userID: assignee) == nil {
            throw DomainError.notFound(.member)
        }
        if let id = new.conversationID {
            let conversation = try await data.conversations.conversation(id)
            if let visibleTo, !visibleTo.sees(team: conversation.teamID, assignee: conversation.assigneeID) {
                throw DomainError.notFound(.conversation)
            }
        }
        try TicketRules.check(new.customFields, declared: try await data.ticketFields.all())
        let number = try await data.tickets.nextNumber()
        let status: TicketStatus = new.assigneeID == nil ? .new : .open
        let ticket = Ticket(
            id: TicketID(), workspaceID: data.workspaceID, number: number, subject: new.subject, status: status,
            priority: new.priority, type: new.type, tags: new.tags, requesterID: requester, assigneeID: new.assigneeID,
            teamID: new.teamID, conversationID: new.conversationID, source: new.source, customFields: new.customFields,
            mergedIntoID: nil, createdAt: now, updatedAt: now, firstResponseAt: nil, solvedAt: nil)
        let policy = SLAPolicy.applicable(try await data.slaPolicies.all(), team: new.teamID)
        let hours = try await data.businessHours.get()
        let (timers, _) = TicketSLA.apply(
            .created(status), to: [], policy: policy, priority: new.priority, at: now, hours: hours)
        let stored = StoredTicket(ticket: ticket, slaPolicyID: policy?.id, timers: timers)
        try await data.tickets.insert(stored)
        let author: TicketEvent.Author = actor == nil ? (new.source == .bot ? .bot : .requester) : .agent
        try await data.tickets.addEvent(
            TicketEvent(
                id: TicketEventID(), ticketID: ticket.id, kind: .created, author: author, authorID: actor?.id, body: new.body,
                details: Self.flagged(["source": new.source.rawValue], flags), createdAt: now))
        return stored
    }

    /// The subject and body as they may be published: written by a member (not a chat's or the bot's transcript, which
    /// is the customer's words) they are masked or refused like an agent's chat message; a customer's are flagged.
    private func screened(_ new: NewTicket, workspace: WorkspaceID, byAgent: Bool) async throws -> (NewTicket, [String]) {
        let author: SensitiveWordFilter.Author =
            byAgent && new.source != .chat && new.source != .bot ? .agent : .customer
        var new = new
        let subject = try await words.screen(workspace, new.subject, by: author, field: "subject")
        let body = try await words.screen(workspace, new.body, by: author, field: "body")
        new.subject = subject.text
        new.body = body.text
        return (new, Array(NSOrderedSet(array: subject.flags + body.flags)).compactMap { $0 as? String })
    }

    /// A history line's details with the listed words its text held (agents see them; the requester never does).
    static func flagged(_ details: [String: String], _ flags: [String]) -> [String: String] {
        guard !flags.isEmpty else { return details }
        var details = details
        details["flags"] = flags.joined(separator: "、")
        return details
    }

    /// The contact named by id, else the one owning the e-mail, else a new contact with it. A member who may not see
    /// the contact that owns the id or e-mail gets "not found" or a refused e-mail, never that contact's ticket.
    private func requester(_ data: WorkspaceData, _ new: NewTicket, visibleTo: ConversationVisibility?, at now: Date)
        async throws -> ContactID
    {
        if let id = new.requesterID {
            let contact = try await data.contacts.contact(id)
            if let visibleTo, try await !ContactService.sees(contact.id, visibleTo, data: data) {
                throw DomainError.notFound(.contact)
            }
            return contact.id
        }
        guard let email = new.requesterEmail else { throw ValidationErrors("requester_email", .required) }
        if let known = try await data.contacts.contact(email: email) {
            if let visibleTo, try await !ContactService.sees(known.id, visibleTo, data: data) {
                throw ValidationErrors("requester_email", .unknownReference)
            }
            return known.id
        }
        let contact = try await data.contacts.create(name: new.requesterName, at: now)
        return try await data.contacts.update(contact.id, ContactChange(email: email), at: now).id
    }

    /// Any ticket of the workspace, for the requester's own status page and the system; members go through
    /// `ticket(_:_:)` with their identity.
    func ticket(_ workspace: WorkspaceID, _ id: TicketID) async throws -> StoredTicket {
        try await store.scoped(to: workspace).tickets.ticket(id)
    }

    /// The ticket if the member may see it (the conversations' rule: their teams', the team-less, their own); any other
    /// is "not found", so its existence is not revealed.
    func ticket(_ actor: Identity, _ id: TicketID) async throws -> StoredTicket {
        let data = store.scoped(to: actor.workspace.id)
        let stored = try await data.tickets.ticket(id)
        try Self.check(stored, visibleTo: try await actor.visibility(data))
        return stored
    }

    /// The ticket a member quotes by number; nil when there is none they may see.
    func ticket(_ actor: Identity, number: Int) async throws -> StoredTicket? {
        let data = store.scoped(to: actor.workspace.id)
        guard let stored = try await data.tickets.ticket(number: number) else { return nil }
        return try await actor.visibility(data).sees(team: stored.ticket.teamID, assignee: stored.ticket.assigneeID)
            ? stored : nil
    }

    /// What the member sees of the workspace's tickets.
    func visibility(_ actor: Identity) async throws -> ConversationVisibility {
        try await actor.visibility(store.scoped(to: actor.workspace.id))
    }

    static func check(_ stored: StoredTicket, visibleTo visibility: ConversationVisibility) throws {
        guard visibility.sees(team: stored.ticket.teamID, assignee: stored.ticket.assigneeID) else {
            throw DomainError.notFound(.ticket)
        }
    }

    /// Who a ticket can go to: the members and teams of the workspace.
    func people(_ workspace: WorkspaceID) async throws -> (members: [Membership], teams: [Team]) {
        let data = store.scoped(to: workspace)
        return (try await data.members.list(after: nil, limit: 500), try await data.teams.list())
    }

    func events(_ workspace: WorkspaceID, _ id: TicketID, includeNotes: Bool) async throws -> [TicketEvent] {
        let events = try await store.scoped(to: workspace).tickets.events(id)
        return includeNotes ? events : events.filter { $0.kind == .created || $0.kind == .reply }
    }

    func list(_ actor: Identity, _ filter: TicketFilter, page: Int, perPage: Int) async throws
        -> (tickets: [StoredTicket], total: Int)
    {
        let data = store.scoped(to: actor.workspace.id)
        let perPage = min(max(perPage, 1), 100)
        let offset = (min(max(page, NumberInput.page.lowerBound), NumberInput.page.upperBound) - 1) * perPage
        let visibility = try await actor.visibility(data)
        async let tickets = data.tickets.tickets(
            filter, me: actor.user.id, visibleTo: visibility, offset: offset, limit: perPage)
        async let total = data.tickets.count(filter, me: actor.user.id, visibleTo: visibility)
        return (try await tickets, try await total)
    }

    /// What a ticket page or answer shows besides the ticket: its requester, its history, the authors' names.
    func context(_ workspace: WorkspaceID, _ stored: StoredTicket, includeNotes: Bool) async throws
        -> (requester: Contact?, events: [TicketEvent], names: [UserID: String])
    {
        let data = store.scoped(to: workspace)
        let requester = try? await data.contacts.contact(stored.ticket.requesterID)
        let events = try await self.events(workspace, stored.ticket.id, includeNotes: includeNotes)
        var names: [UserID: String] = [:]
        for id in Set(events.compactMap(\.authorID)) {
            names[id] = try await store.unscoped.users.user(id: id)?.displayName
        }
        return (requester, events, names)
    }

    func requesters(_ workspace: WorkspaceID, _ tickets: [StoredTicket]) async throws -> [ContactID: Contact] {
        try await store.scoped(to: workspace).contacts.contacts(ids: Array(Set(tickets.map(\.ticket.requesterID))))
    }
}
