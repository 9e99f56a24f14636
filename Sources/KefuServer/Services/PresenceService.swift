import Foundation
import KefuCore
import KefuStore

/// Agents' presence: `online` or `away` as they choose while a console (an agent socket) is open, `offline` when
/// none is. Changes go to every agent socket of the workspace as `presence` frames. Connections are counted by this
/// instance's hub: with several instances an agent connected elsewhere shows as offline here until the routing issue
/// shares the counts and events across instances (PostgreSQL event bus).
struct PresenceService: Sendable {
    let store: Store
    let clock: WallClock
    let events: any EventBus
    let hub: ChatHub

    struct Entry: Sendable {
        var membership: Membership
        var status: String
    }

    func list(_ actor: Identity) async throws -> [Entry] {
        let data = store.scoped(to: actor.workspace.id)
        let chosen = try await data.presence.statuses()
        let connected = hub.connectedAgents(actor.workspace.id)
        var entries: [Entry] = []
        var after: String? = nil
        while true {
            let page = try await data.members.list(after: after, limit: 100)
            for membership in page {
                let user = membership.user.id
                let status = connected.contains(user) ? (chosen[user] ?? .online).rawValue : "offline"
                entries.append(Entry(membership: membership, status: status))
            }
            guard page.count == 100, let last = page.last else { return entries }
            after = last.user.email
        }
    }

    func set(_ actor: Identity, _ status: AgentStatus) async throws {
        try await store.scoped(to: actor.workspace.id).presence.set(actor.user.id, status, at: clock.now())
        if hub.connectedAgents(actor.workspace.id).contains(actor.user.id) {
            events.publish(.presence(actor.workspace.id, actor.user.id, status: status.rawValue))
        }
    }

    /// An agent socket opened: their first one makes them visible with their chosen status.
    func connected(_ actor: Identity) async {
        guard hub.agentJoined(actor.workspace.id, actor.user.id) else { return }
        let chosen = try? await store.scoped(to: actor.workspace.id).presence.statuses()[actor.user.id]
        events.publish(.presence(actor.workspace.id, actor.user.id, status: (chosen ?? .online).rawValue))
    }

    func disconnected(_ actor: Identity) {
        guard hub.agentLeft(actor.workspace.id, actor.user.id) else { return }
        events.publish(.presence(actor.workspace.id, actor.user.id, status: "offline"))
    }
}
