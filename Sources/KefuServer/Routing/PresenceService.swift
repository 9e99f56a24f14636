import Foundation
import KefuCore
import KefuStore

/// Agents' presence: `online` or `away` as they choose while a console (an agent socket) is open, `offline` when
/// none is open on any instance. Each instance counts its agent sockets in `agent_connections` and keeps its rows
/// fresh (`PresenceHeartbeat`); a killed instance's rows go stale. Changes go to every agent socket of the workspace
/// as `presence` frames, and an agent coming online lets routing give them waiting chats.
struct PresenceService: Sendable {
    let store: Store
    let clock: WallClock
    let events: any EventBus
    let hub: ChatHub
    let router: ChatRouter

    struct Entry: Sendable {
        var membership: Membership
        var status: String
    }

    func list(_ actor: Identity) async throws -> [Entry] {
        let data = store.scoped(to: actor.workspace.id)
        let chosen = try await data.presence.statuses()
        let connected = try await data.routing.connectedAgents(since: router.connectedSince)
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
        let data = store.scoped(to: actor.workspace.id)
        let now = clock.now()
        try await data.transaction { tx in try await tx.presence.set(actor.user.id, status, at: now) }
        guard try await data.routing.connectedAgents(since: router.connectedSince).contains(actor.user.id) else { return }
        events.publish(.presence(actor.workspace.id, actor.user.id, status: status.rawValue))
        if status == .online { await router.drainAll(actor.workspace.id) }
    }

    /// The status an agent chose last: it outlives their sockets (away stays away when they reconnect); online until
    /// they choose.
    func chosen(_ actor: Identity) async throws -> AgentStatus {
        try await store.scoped(to: actor.workspace.id).presence.statuses()[actor.user.id] ?? .online
    }

    /// An agent socket opened: their first one makes them visible with their chosen status.
    func connected(_ actor: Identity) async {
        let workspace = actor.workspace.id
        let isFirstHere = hub.agentJoined(workspace, actor.user.id)
        do {
            let data = store.scoped(to: workspace)
            let wasConnected = try await data.routing.connectedAgents(since: router.connectedSince).contains(actor.user.id)
            try await recordConnection(data, actor, delta: 1)
            guard isFirstHere, !wasConnected else { return }
            let chosen = try await data.presence.statuses()[actor.user.id] ?? .online
            events.publish(.presence(workspace, actor.user.id, status: chosen.rawValue))
            if chosen == .online { await router.drainAll(workspace) }
        } catch {
            router.logger.error("agent connection not recorded", metadata: ["error": "\(error)"])
        }
    }

    func disconnected(_ actor: Identity) async {
        let workspace = actor.workspace.id
        _ = hub.agentLeft(workspace, actor.user.id)
        do {
            let data = store.scoped(to: workspace)
            try await recordConnection(data, actor, delta: -1)
            guard !(try await data.routing.connectedAgents(since: router.connectedSince).contains(actor.user.id)) else {
                return
            }
            events.publish(.presence(workspace, actor.user.id, status: "offline"))
        } catch {
            router.logger.error("agent disconnection not recorded", metadata: ["error": "\(error)"])
        }
    }

    /// Keeps this instance's connection rows fresh, for every workspace with a console open here.
    func heartbeat() async {
        for workspace in hub.workspacesWithAgents() {
            do {
                try await store.scoped(to: workspace).routing.heartbeat(instance: router.instance, at: clock.now())
            } catch {
                router.logger.warning("presence heartbeat failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Through the write gate, like every write: an ungated write meets a busy SQLite file as "database is locked".
    private func recordConnection(_ data: WorkspaceData, _ actor: Identity, delta: Int) async throws {
        let (instance, now) = (router.instance, clock.now())
        try await data.groupedTransaction { tx in
            try await tx.routing.connections(actor.user.id, instance: instance, delta: delta, at: now)
        }
    }
}
