import Foundation
import KefuCore
import KefuStore

extension TicketService {
    /// An agent's public reply (to the requester: history, e-mail, first response) or internal note.
    func comment(_ actor: Identity, _ id: TicketID, body: String, isPublic: Bool) async throws -> TicketEvent {
        // A public reply is published text (masked or refused like a chat reply); an internal note is not.
        let written = try TicketRules.body(body)
        let (text, flags) =
            isPublic ? try await words.screen(actor.workspace.id, written, by: .agent, field: "body") : (written, [])
        let visibility = try await visibility(actor)
        let (event, raised) = try await store.scoped(to: actor.workspace.id).transaction { [clock] data in
            let now = clock.now()
            var stored = try await data.tickets.lock(id)
            try Self.check(stored, visibleTo: visibility)
            guard stored.ticket.status != .closed else { throw DomainError.conflict(.ticketClosed) }
            let event = TicketEvent(
                id: TicketEventID(), ticketID: id, kind: isPublic ? .reply : .note, author: .agent, authorID: actor.user.id,
                body: text, details: Self.flagged([:], flags), createdAt: now)
            try await data.tickets.addEvent(event)
            var raised: [RaisedSLAAlert] = []
            if isPublic {
                var ticket = stored.ticket
                let policies = try await data.slaPolicies.all()
                let hours = try await data.businessHours.get()
                if ticket.firstResponseAt == nil {
                    ticket.firstResponseAt = now
                    raised += try await moveClocks(
                        &stored, .agentReplied, ticket: ticket, policies: policies, hours: hours, at: now)
                }
                if ticket.status == .new { ticket.status = .open }
                ticket.updatedAt = now
                stored.ticket = ticket
                try await record(raised, on: stored, data: data)
                try await data.tickets.save(stored)
                try await mailReply(data, stored.ticket, body: text, actor: actor)
            }
            return (event, raised)
        }
        alerts.raise(actor.workspace.id, raised)
        if isPublic { await alerts.deliveries.signal() }
        return event
    }

    /// The requester's reply through their status link: a solved or waiting ticket opens again (a reopened ticket's
    /// resolution clock resumes where it stopped).
    func requesterReply(_ workspace: WorkspaceID, _ id: TicketID, body: String) async throws -> TicketEvent {
        let text = try TicketRules.body(body)
        let flags = try await words.screen(workspace, text, by: .customer).flags
        let (event, raised) = try await store.scoped(to: workspace).transaction { [clock] data in
            let now = clock.now()
            var stored = try await data.tickets.lock(id)
            guard stored.ticket.status != .closed else { throw DomainError.conflict(.ticketClosed) }
            let event = TicketEvent(
                id: TicketEventID(), ticketID: id, kind: .reply, author: .requester, authorID: nil, body: text,
                details: Self.flagged([:], flags), createdAt: now)
            try await data.tickets.addEvent(event)
            var ticket = stored.ticket
            var raised: [RaisedSLAAlert] = []
            if ticket.status.isWaiting || ticket.status == .solved {
                let from = ticket.status
                ticket.status = .open
                ticket.solvedAt = nil
                raised = try await moveClocks(
                    &stored, .status(from: from, to: .open), ticket: ticket, policies: try await data.slaPolicies.all(),
                    hours: try await data.businessHours.get(), at: now)
                try await data.tickets.addEvent(
                    TicketEvent(
                        id: TicketEventID(), ticketID: id, kind: .status, author: .requester, authorID: nil, body: nil,
                        details: ["from": from.rawValue, "to": "open"], createdAt: now))
            }
            ticket.updatedAt = now
            stored.ticket = ticket
            try await record(raised, on: stored, data: data)
            try await data.tickets.save(stored)
            return (event, raised)
        }
        alerts.raise(workspace, raised)
        return event
    }

    /// Merges a duplicate into another ticket: the duplicate closes pointing at the other, whose history gets the
    /// duplicate's request as an internal note.
    func merge(_ actor: Identity, _ sourceID: TicketID, into targetID: TicketID) async throws -> StoredTicket {
        guard sourceID != targetID else { throw DomainError.conflict(.sameTicket) }
        let visibility = try await visibility(actor)
        return try await store.scoped(to: actor.workspace.id).transaction { [clock] data in
            let now = clock.now()
            var source = try await data.tickets.lock(sourceID)
            var target = try await data.tickets.lock(targetID)
            try Self.check(source, visibleTo: visibility)
            try Self.check(target, visibleTo: visibility)
            guard source.ticket.status != .closed, target.ticket.status != .closed else {
                throw DomainError.conflict(.ticketClosed)
            }
            let request = try await data.tickets.events(sourceID).first { $0.kind == .created }?.body ?? ""
            var ticket = source.ticket
            let from = ticket.status
            ticket.status = .closed
            ticket.mergedIntoID = targetID
            ticket.updatedAt = now
            let raised = try await moveClocks(
                &source, .status(from: from, to: .closed), ticket: ticket, policies: try await data.slaPolicies.all(),
                hours: try await data.businessHours.get(), at: now)
            source.ticket = ticket
            try await record(raised, on: source, data: data)
            try await data.tickets.save(source)
            target.ticket.updatedAt = now
            try await data.tickets.save(target)
            try await data.tickets.addEvent(
                TicketEvent(
                    id: TicketEventID(), ticketID: sourceID, kind: .merged, author: .agent, authorID: actor.user.id, body: nil,
                    details: ["into": String(target.ticket.number), "into_id": targetID.description], createdAt: now))
            try await data.tickets.addEvent(
                TicketEvent(
                    id: TicketEventID(), ticketID: targetID, kind: .mergedFrom, author: .agent, authorID: actor.user.id,
                    body: "#\(source.ticket.number) \(source.ticket.subject)\n\n\(request)",
                    details: ["from": String(source.ticket.number), "from_id": sourceID.description], createdAt: now))
            return target
        }
    }

    /// A public reply also goes to the requester by e-mail, in the language of the ticket's chat (or of its subject).
    private func mailReply(_ data: WorkspaceData, _ ticket: Ticket, body: String, actor: Identity) async throws {
        guard let email = try await data.contacts.contact(ticket.requesterID).email else { return }
        let locale =
            if let id = ticket.conversationID { try await data.conversations.conversation(id).locale } else {
                UILocale.written(in: ticket.subject)
            }
        try await mail.ticketReply(
            data, ticket, body: body, to: email, workspace: actor.workspace, agent: actor.user.displayName, locale: locale)
    }
}
