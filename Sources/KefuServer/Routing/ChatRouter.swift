import Foundation
import KefuCore
import KefuStore
import Logging

/// Gives waiting conversations to agents. A conversation handed to people joins its team's queue in the same
/// transaction (`RoutingRepository.enqueue`); draining then assigns the queue's head to an online agent of the team
/// with a free seat, one locked transaction per assignment, so two instances never give one conversation to two
/// agents nor an agent more chats than their capacity. Whatever cannot be assigned waits, first in first out, and its
/// customer hears their place.
struct ChatRouter: Sendable {
    let store: Store
    let clock: WallClock
    let events: any EventBus
    /// This process, in `agent_connections`.
    let instance: UUID
    let logger: Logger
    /// Business-hours time: `clock`, unless tests move it.
    var calendar: WallClock = WallClock()
    /// An agent offline this long (no console open on any instance) gives their open chats back to the queue.
    var offlineGrace: TimeInterval = 300
    /// A connection row older than this belongs to an instance that stopped refreshing it (killed): not connected.
    static let connectionTTL: TimeInterval = 30
    /// How far down the queue to look for a conversation a free agent may take (another language, say).
    static let lookahead = 20
    /// Queue places published per change; customers further back hear theirs on a later change.
    static let announced = 1000

    var connectedSince: Date { clock.now().addingTimeInterval(-Self.connectionTTL) }

    /// The periodic pass over every workspace with open chats (see `sweep`).
    func sweepAll() async {
        do {
            for workspace in try await store.unscoped.workspaces.withOpenConversations() { await sweep(workspace) }
        } catch {
            logger.error("routing sweep failed", metadata: ["error": "\(error)"])
        }
    }

    /// Chats of agents offline for longer than the grace period go back to the head of their queue, then every queue
    /// drains: a seat freed on an instance that died before draining is used all the same.
    func sweep(_ workspace: WorkspaceID) async {
        let data = store.scoped(to: workspace)
        let now = clock.now()
        do {
            try await data.transaction { tx in try await tx.routing.forgetConnections(before: now.addingTimeInterval(-86400)) }
            let orphans = try await data.routing.orphaned(
                offlineBefore: now.addingTimeInterval(-offlineGrace), connectedSince: connectedSince)
            for id in orphans {
                let requeued = try await data.transaction { [clock] tx -> (ChatMessage, Conversation)? in
                    let current = try await tx.conversations.lock(id)
                    guard current.status == .open, current.assigneeID != nil else { return nil }
                    _ = try await tx.routing.requeueAtHead(id, at: clock.now())
                    let line = try await tx.conversations.append(
                        id,
                        NewMessage(
                            clientID: nil, sender: .system, kind: .event,
                            body: ConversationService.eventBody("unassigned", "")), at: clock.now())
                    return (line.message, line.conversation)
                }
                guard let (line, conversation) = requeued else { continue }
                events.publish(.chat(workspace, .message(line, conversation)))
                events.publish(.chat(workspace, .conversation(conversation)))
            }
        } catch {
            logger.error("routing sweep failed", metadata: ["workspace.id": "\(workspace)", "error": "\(error)"])
        }
        await drainAll(workspace)
    }

    /// Assigns what it can in every queue of the workspace; call when seats may have freed.
    func drainAll(_ workspace: WorkspaceID) async {
        do {
            for team in try await store.scoped(to: workspace).routing.queuedTeams() { await drain(workspace, team: team) }
        } catch {
            logger.error("routing failed", metadata: ["workspace.id": "\(workspace)", "error": "\(error)"])
        }
    }

    /// Assigns the team's waiting conversations while agents have seats (within business hours), then tells those
    /// still waiting where they stand.
    func drain(_ workspace: WorkspaceID, team: TeamID?) async {
        do {
            let hours = try await store.scoped(to: workspace).businessHours.get()
            while hours.isOpen(at: calendar.now()), let (line, conversation, more) = try await assignNext(workspace, team: team) {
                events.publish(.chat(workspace, .message(line, conversation)))
                events.publish(.chat(workspace, .conversation(conversation)))
                events.publish(.chat(workspace, .queue(conversation.id, nil)))
                if !more { break }
            }
            try await announcePlaces(workspace, team: team, hours: hours)
        } catch {
            logger.error(
                "routing failed",
                metadata: ["workspace.id": "\(workspace)", "team.id": "\(String(describing: team))", "error": "\(error)"])
        }
    }

    /// One routing decision: the first of the queue's head conversations an agent can take goes to the best agent.
    /// `more` is false when that emptied the queue, sparing the next (empty) decision.
    private func assignNext(_ workspace: WorkspaceID, team: TeamID?) async throws -> (ChatMessage, Conversation, more: Bool)? {
        let since = connectedSince
        return try await store.scoped(to: workspace).transaction { [clock] data in
            try await data.routing.lock()
            let waiting = try await data.routing.queue(team: team, limit: Self.lookahead)
            guard !waiting.isEmpty else { return nil }
            let candidates = try await data.routing.candidates(team: team, connectedSince: since)
            guard candidates.contains(where: { $0.openChats < $0.routing.maxChats }) else { return nil }
            for id in waiting {
                let conversation = try await data.conversations.lock(id)
                guard conversation.status == .open, conversation.assigneeID == nil else {
                    // Taken or closed some other way while it waited: it leaves the queue.
                    _ = try await data.routing.dequeue(id)
                    continue
                }
                guard
                    let agent = RoutingCandidate.choose(
                        candidates, locale: conversation.locale.rawValue, intent: conversation.handoff?.intent)
                else { continue }
                let now = clock.now()
                _ = try await data.routing.assign(id, to: agent.user, at: now)
                let line = try await data.conversations.append(
                    id,
                    NewMessage(
                        clientID: nil, sender: .system, kind: .event,
                        body: ConversationService.eventBody("assigned", agent.name)), at: now)
                return (line.message, line.conversation, waiting.count > 1)
            }
            return nil
        }
    }

    /// Publishes every waiting customer's place (up to `announced`), estimated wait, and whether anyone can answer.
    func announcePlaces(_ workspace: WorkspaceID, team: TeamID?, hours: BusinessHours? = nil) async throws {
        let data = store.scoped(to: workspace)
        let waiting = try await data.routing.queue(team: team, limit: Self.announced)
        guard !waiting.isEmpty else { return }
        let outlook = try await outlook(data, team: team, hours: hours)
        for (index, id) in waiting.enumerated() {
            events.publish(.chat(workspace, .queue(id, outlook.standing(at: index + 1))))
        }
    }

    /// The customer's place now, for a socket that just subscribed; nil when not waiting.
    func standing(_ workspace: WorkspaceID, _ conversation: Conversation) async throws -> QueueStanding? {
        guard conversation.queuedAt != nil else { return nil }
        let data = store.scoped(to: workspace)
        let waiting = try await data.routing.queue(team: conversation.teamID, limit: Self.announced)
        guard let index = waiting.firstIndex(of: conversation.id) else { return nil }
        return try await outlook(data, team: conversation.teamID, hours: nil).standing(at: index + 1)
    }

    /// Whether the team answers now: closed outside business hours, else unavailable while none of its agents with a
    /// seat is online.
    func availability(_ workspace: WorkspaceID, team: TeamID?) async throws -> TeamAvailability {
        try await outlook(store.scoped(to: workspace), team: team, hours: nil).availability
    }

    private struct Outlook {
        var availability: TeamAvailability
        /// Seconds each place ahead adds; nil without history or seats.
        var perPlace: Double?

        func standing(at position: Int) -> QueueStanding {
            QueueStanding(
                position: position, estimatedWait: perPlace.map { Int(($0 * Double(position)).rounded()) },
                unavailable: availability.unavailable, opensAt: availability.opensAt)
        }
    }

    /// Availability and the wait per place: the team's recent mean handling time shared over the seats of its online
    /// agents (nil when nobody is online or nothing was handled yet: the widget then shows the place alone).
    private func outlook(_ data: WorkspaceData, team: TeamID?, hours: BusinessHours?) async throws -> Outlook {
        var hours = hours
        if hours == nil { hours = try await data.businessHours.get() }
        guard let hours else { return Outlook(availability: .available, perPlace: nil) }
        let now = calendar.now()
        let seats = try await data.routing.candidates(team: team, connectedSince: connectedSince)
            .reduce(0) { $0 + $1.routing.maxChats }
        let availability =
            if !hours.isOpen(at: now) {
                TeamAvailability(unavailable: .closed, opensAt: hours.nextOpening(after: now))
            } else if seats == 0 {
                TeamAvailability(unavailable: .nobodyOnline, opensAt: nil)
            } else {
                TeamAvailability.available
            }
        guard seats > 0, let mean = try await data.routing.meanHandlingSeconds(team: team, recent: 50) else {
            return Outlook(availability: availability, perPlace: nil)
        }
        return Outlook(availability: availability, perPlace: mean / Double(seats))
    }
}
