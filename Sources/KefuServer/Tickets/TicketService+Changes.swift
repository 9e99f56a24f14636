import Foundation
import KefuCore
import KefuStore

/// One raised SLA alert, for the console and the outgoing webhook.
struct RaisedSLAAlert: Sendable, Equatable {
    var ticket: Ticket
    var metric: SLAMetric
    var alert: SLAAlert
    var dueAt: Date?
    var at: Date
}

extension TicketService {
    /// Changes one ticket; every field that moved gets a history line, the SLA clocks follow.
    func update(_ actor: Identity, _ id: TicketID, _ change: TicketChange) async throws -> StoredTicket {
        let change = try await screened(change, actor)
        let visibility = try await visibility(actor)
        let (stored, raised) = try await store.scoped(to: actor.workspace.id).transaction { [clock] data in
            try await apply(change, to: id, actor: actor, visibility: visibility, data: data, at: clock.now())
        }
        alerts.raise(actor.workspace.id, raised)
        return stored
    }

    /// The same change on up to 100 tickets, all or none.
    func bulkUpdate(_ actor: Identity, _ ids: [TicketID], _ change: TicketChange) async throws -> [StoredTicket] {
        guard (1...100).contains(Set(ids).count) else { throw ValidationErrors("ids", .itemCount(min: 1, max: 100)) }
        let change = try await screened(change, actor)
        let visibility = try await visibility(actor)
        let (tickets, raised) = try await store.scoped(to: actor.workspace.id).transaction { [clock] data in
            var tickets: [StoredTicket] = []
            var raised: [RaisedSLAAlert] = []
            let now = clock.now()
            for id in Set(ids).sorted(by: { $0.uuid.uuidString < $1.uuid.uuidString }) {
                let (ticket, alerts) = try await apply(
                    change, to: id, actor: actor, visibility: visibility, data: data, at: now)
                tickets.append(ticket)
                raised += alerts
            }
            return (tickets, raised)
        }
        alerts.raise(actor.workspace.id, raised)
        return tickets
    }

    /// A new subject is published text (the requester sees it): masked or refused like an agent's reply.
    private func screened(_ change: TicketChange, _ actor: Identity) async throws -> TicketChange {
        guard let subject = change.subject else { return change }
        var change = change
        change.subject = try await words.screen(actor.workspace.id, subject, by: .agent, field: "subject").text
        return change
    }

    private func apply(
        _ change: TicketChange, to id: TicketID, actor: Identity, visibility: ConversationVisibility, data: WorkspaceData,
        at now: Date
    ) async throws -> (StoredTicket, [RaisedSLAAlert]) {
        var stored = try await data.tickets.lock(id)
        try Self.check(stored, visibleTo: visibility)
        let before = stored.ticket
        var ticket = stored.ticket
        guard before.status != .closed else { throw DomainError.conflict(.ticketClosed) }
        var lines: [(TicketEvent.Kind, [String: String])] = []
        if let subject = change.subject {
            ticket.subject = try TicketRules.subject(subject)
            if ticket.subject != before.subject { lines.append((.subject, ["from": before.subject, "to": ticket.subject])) }
        }
        if let type = change.type, type != before.type {
            ticket.type = type
            lines.append((.type, ["from": before.type?.rawValue ?? "", "to": type?.rawValue ?? ""]))
        }
        var tags = try TicketRules.tags(change.tags ?? before.tags)
        tags = try TicketRules.tags(tags + change.addTags).filter { !change.removeTags.map { $0.lowercased() }.contains($0) }
        if tags != before.tags {
            ticket.tags = tags
            lines.append((.tags, ["from": before.tags.joined(separator: ","), "to": tags.joined(separator: ",")]))
        }
        if let fields = change.customFields {
            try TicketRules.check(fields, declared: try await data.ticketFields.all())
            ticket.customFields = try TicketRules.customFields(before.customFields.merging(fields) { _, new in new })
            if ticket.customFields != before.customFields { lines.append((.fields, ticket.customFields)) }
        }
        if let assignee = change.assigneeID, assignee != before.assigneeID {
            if let assignee, try await data.members.membership(userID: assignee) == nil {
                throw DomainError.notFound(.member)
            }
            ticket.assigneeID = assignee
            lines.append((.assignee, ["from": before.assigneeID?.description ?? "", "to": assignee?.description ?? ""]))
        }
        if let team = change.teamID, team != before.teamID {
            if let team, try await !data.teams.list().contains(where: { $0.id == team }) {
                throw DomainError.notFound(.team)
            }
            ticket.teamID = team
            lines.append((.team, ["from": before.teamID?.description ?? "", "to": team?.description ?? ""]))
        }
        if let priority = change.priority, priority != before.priority {
            ticket.priority = priority
            lines.append((.priority, ["from": before.priority.rawValue, "to": priority.rawValue]))
        }
        // Giving a new ticket to someone opens it.
        var status = change.status ?? before.status
        if change.status == nil, before.status == .new, ticket.assigneeID != nil { status = .open }
        var raised: [RaisedSLAAlert] = []
        let hours = try await data.businessHours.get()
        let policies = try await data.slaPolicies.all()
        if ticket.priority != before.priority || ticket.teamID != before.teamID {
            let policy = SLAPolicy.applicable(policies, team: ticket.teamID)
            stored.slaPolicyID = policy?.id
            let result = TicketSLA.apply(
                .retargeted(firstResponded: before.firstResponseAt != nil, status: before.status), to: stored.timers,
                policy: policy, priority: ticket.priority, at: now, hours: hours)
            stored.timers = result.timers
            raised += result.alerts.map { RaisedSLAAlert(ticket: ticket, metric: $0.0, alert: $0.1, dueAt: nil, at: now) }
        }
        if status != before.status {
            ticket.status = status
            ticket.solvedAt = status == .solved ? now : (status.isDone ? before.solvedAt : nil)
            lines.append((.status, ["from": before.status.rawValue, "to": status.rawValue]))
            raised += try await moveClocks(
                &stored, .status(from: before.status, to: status), ticket: ticket, policies: policies, hours: hours, at: now)
        }
        guard !lines.isEmpty || !raised.isEmpty else { return (stored, []) }
        ticket.updatedAt = now
        stored.ticket = ticket
        try await record(raised, on: stored, data: data)
        try await data.tickets.save(stored)
        for (kind, details) in lines {
            try await data.tickets.addEvent(
                TicketEvent(
                    id: TicketEventID(), ticketID: id, kind: kind, author: .agent, authorID: actor.user.id, body: nil,
                    details: details, createdAt: now))
        }
        return (stored, raised)
    }

    /// Moves the clocks for `change`, returning the alerts it raised (a stop past due is a breach).
    func moveClocks(
        _ stored: inout StoredTicket, _ change: SLAChange, ticket: Ticket, policies: [SLAPolicy], hours: BusinessHours,
        at now: Date
    ) async throws -> [RaisedSLAAlert] {
        let policy = policies.first { $0.id == stored.slaPolicyID }
        let result = TicketSLA.apply(change, to: stored.timers, policy: policy, priority: ticket.priority, at: now, hours: hours)
        let before = stored.timers
        stored.timers = result.timers
        return result.alerts.map { metric, alert in
            let due = before.first { $0.metric == metric }?.dueAt
            return RaisedSLAAlert(ticket: ticket, metric: metric, alert: alert, dueAt: due, at: now)
        }
    }

    /// History lines and breach records for raised alerts.
    func record(_ raised: [RaisedSLAAlert], on stored: StoredTicket, data: WorkspaceData) async throws {
        for alert in raised {
            let breachedAt = stored.timers.first { $0.metric == alert.metric }?.breachedAt ?? alert.at
            if alert.alert == .breach {
                try await data.tickets.recordBreach(
                    stored, metric: alert.metric, dueAt: alert.dueAt ?? breachedAt, breachedAt: breachedAt)
            }
            var details = ["metric": alert.metric.rawValue]
            if let due = alert.dueAt { details["due_at"] = RFC3339.string(due) }
            try await data.tickets.addEvent(
                TicketEvent(
                    id: TicketEventID(), ticketID: stored.ticket.id, kind: alert.alert == .breach ? .slaBreach : .slaWarning,
                    author: .system, authorID: nil, body: nil, details: details, createdAt: alert.at))
        }
        try await SLAWebhook.enqueue(raised, data: data, at: alerts.clock.now())
    }
}
