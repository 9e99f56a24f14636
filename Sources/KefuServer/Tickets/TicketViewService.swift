import Foundation
import KefuCore
import KefuStore

/// Saved ticket views with their counts: the workspace's shared ones (supervisors and up keep them; four made on
/// first use) and each member's own.
struct TicketViewService: Sendable {
    let store: Store
    let clock: WallClock

    static let defaults: [(name: String, filter: TicketFilter)] = [
        ("My open tickets 我的工单", TicketFilter(statuses: [.new, .open, .pending], assignee: .me)),
        ("Unassigned 未分配", TicketFilter(statuses: [.new, .open], assignee: .nobody)),
        ("All open 全部未解决", TicketFilter(statuses: [.new, .open, .pending, .onHold])),
        ("SLA breached 已超时", TicketFilter(statuses: [.new, .open, .pending, .onHold], sla: .breached)),
    ]

    /// The caller's views in order, each with its ticket count.
    func list(_ actor: Identity) async throws -> [(TicketView, count: Int)] {
        let data = store.scoped(to: actor.workspace.id)
        var views = try await data.ticketViews.views(for: actor.user.id)
        if views.isEmpty {
            views = try await data.transaction { [clock] data in
                guard try await data.ticketViews.views(for: actor.user.id).isEmpty else {
                    return try await data.ticketViews.views(for: actor.user.id)
                }
                var made: [TicketView] = []
                for (position, preset) in Self.defaults.enumerated() {
                    let view = TicketView(
                        id: TicketViewID(), workspaceID: actor.workspace.id, ownerID: nil, name: preset.name,
                        filter: preset.filter, position: position, createdAt: clock.now())
                    try await data.ticketViews.insert(view)
                    made.append(view)
                }
                return made
            }
        }
        var counted: [(TicketView, count: Int)] = []
        let visibility = try await actor.visibility(data)
        for view in views {
            counted.append((view, try await data.tickets.count(view.filter, me: actor.user.id, visibleTo: visibility)))
        }
        return counted
    }

    func view(_ actor: Identity, _ id: TicketViewID) async throws -> TicketView {
        let view = try await store.scoped(to: actor.workspace.id).ticketViews.view(id)
        guard view.ownerID == nil || view.ownerID == actor.user.id else { throw DomainError.notFound(.ticketView) }
        return view
    }

    func create(_ actor: Identity, name: String, shared: Bool, filter: TicketFilter) async throws -> TicketView {
        let name = try Validate.name(name, field: "name")
        if shared && !actor.can(.manageTicketSettings) { throw DomainError.forbidden(.cannotChangeSharedView) }
        let data = store.scoped(to: actor.workspace.id)
        let position = try await data.ticketViews.views(for: actor.user.id).count
        let view = TicketView(
            id: TicketViewID(), workspaceID: actor.workspace.id, ownerID: shared ? nil : actor.user.id, name: name,
            filter: filter, position: position, createdAt: clock.now())
        try await data.ticketViews.insert(view)
        return view
    }

    func update(_ actor: Identity, _ id: TicketViewID, name: String?, filter: TicketFilter?, position: Int?) async throws
        -> TicketView
    {
        var view = try await editable(actor, id)
        if let name { view.name = try Validate.name(name, field: "name") }
        if let filter { view.filter = filter }
        if let position { view.position = position }
        try await store.scoped(to: actor.workspace.id).ticketViews.save(view)
        return view
    }

    func delete(_ actor: Identity, _ id: TicketViewID) async throws {
        _ = try await editable(actor, id)
        try await store.scoped(to: actor.workspace.id).ticketViews.delete(id)
    }

    private func editable(_ actor: Identity, _ id: TicketViewID) async throws -> TicketView {
        let view = try await view(actor, id)
        if view.ownerID == nil && !actor.can(.manageTicketSettings) { throw DomainError.forbidden(.cannotChangeSharedView) }
        return view
    }
}
