import Foundation
import KefuCore
import KefuStore

/// The workspace profile and its teams.
public struct WorkspaceService: Sendable {
    let store: Store
    let clock: WallClock
    let events: any EventBus
    var audit: AuditTrail { AuditTrail(clock: clock) }

    public init(store: Store, clock: WallClock, events: any EventBus) {
        self.store = store
        self.clock = clock
        self.events = events
    }

    public func update(_ actor: Identity, name: String?, defaultLocale: UILocale?, ip: String?) async throws -> Workspace {
        let newName = try name.map { try Validate.name($0, field: "name") }
        let updated = try await store.scoped(to: actor.workspace.id).transaction { [audit] data in
            // Fields left out keep the stored values, not the caller's possibly cached copy.
            let before = try await data.profile.get()
            let updated = try await data.profile.update(
                name: newName ?? before.name, defaultLocale: defaultLocale ?? before.defaultLocale)
            try await data.audit.append(
                audit.event(
                    .settingsChanged, actor: actor.user, target: "workspace", ip: ip,
                    before: AuditTrail.json(["name": before.name, "default_locale": before.defaultLocale.rawValue]),
                    after: AuditTrail.json(["name": updated.name, "default_locale": updated.defaultLocale.rawValue])))
            return updated
        }
        events.publish(.accessChanged(actor.workspace.id))
        return updated
    }

    public func teams(_ actor: Identity) async throws -> [Team] {
        try await store.scoped(to: actor.workspace.id).teams.list()
    }

    public func createTeam(_ actor: Identity, name: String, ip: String?) async throws -> Team {
        let name = try Validate.name(name, field: "name")
        return try await store.scoped(to: actor.workspace.id).transaction { [audit, clock] data in
            let team = try await data.teams.create(name: name, at: clock.now())
            try await data.audit.append(
                audit.event(.settingsChanged, actor: actor.user, target: "team", ip: ip, after: AuditTrail.json(["team": name])))
            return team
        }
    }
}
