import Foundation
import KefuCore
import KefuStore

/// SLA policies: targets per priority, for every ticket or one team's, in business or calendar hours (audited).
/// A changed policy applies to tickets from their next change; their clocks keep what they counted.
struct SLAPolicyService: Sendable {
    let store: Store
    let clock: WallClock
    var audit: AuditTrail { AuditTrail(clock: clock) }

    struct Draft: Sendable {
        var name: String
        var teamID: TeamID?
        var businessHours: Bool
        var warnBeforeMinutes: Int
        var targets: [SLAPolicy.Target]
        var enabled: Bool
    }

    func list(_ actor: Identity) async throws -> [SLAPolicy] {
        try await store.scoped(to: actor.workspace.id).slaPolicies.all()
    }

    func policy(_ actor: Identity, _ id: SLAPolicyID) async throws -> SLAPolicy {
        try await store.scoped(to: actor.workspace.id).slaPolicies.policy(id)
    }

    /// The teams a policy may be limited to.
    func teams(_ actor: Identity) async throws -> [Team] {
        try await store.scoped(to: actor.workspace.id).teams.list()
    }

    func create(_ actor: Identity, _ draft: Draft, ip: String?) async throws -> SLAPolicy {
        let name = try validated(draft)
        return try await store.scoped(to: actor.workspace.id).transaction { [clock, audit] data in
            try await checkTeam(draft.teamID, data: data)
            let now = clock.now()
            let policy = SLAPolicy(
                id: SLAPolicyID(), workspaceID: actor.workspace.id, name: name, teamID: draft.teamID,
                businessHours: draft.businessHours, warnBeforeMinutes: draft.warnBeforeMinutes, targets: draft.targets,
                enabled: draft.enabled, createdAt: now, updatedAt: now)
            try await data.slaPolicies.insert(policy)
            try await data.audit.append(
                audit.event(.settingsChanged, actor: actor.user, target: "sla_policy:\(policy.id)", ip: ip, after: name))
            return policy
        }
    }

    func update(_ actor: Identity, _ id: SLAPolicyID, _ draft: Draft, ip: String?) async throws -> SLAPolicy {
        let name = try validated(draft)
        return try await store.scoped(to: actor.workspace.id).transaction { [clock, audit] data in
            try await checkTeam(draft.teamID, data: data)
            var policy = try await data.slaPolicies.policy(id)
            let before = policy.name
            policy.name = name
            policy.teamID = draft.teamID
            policy.businessHours = draft.businessHours
            policy.warnBeforeMinutes = draft.warnBeforeMinutes
            policy.targets = draft.targets
            policy.enabled = draft.enabled
            policy.updatedAt = clock.now()
            try await data.slaPolicies.save(policy)
            try await data.audit.append(
                audit.event(
                    .settingsChanged, actor: actor.user, target: "sla_policy:\(policy.id)", ip: ip, before: before,
                    after: name))
            return policy
        }
    }

    func delete(_ actor: Identity, _ id: SLAPolicyID, ip: String?) async throws {
        try await store.scoped(to: actor.workspace.id).transaction { [audit] data in
            try await data.slaPolicies.delete(id)
            try await data.audit.append(
                audit.event(.settingsChanged, actor: actor.user, target: "sla_policy:\(id)", ip: ip, before: "deleted"))
        }
    }

    private func validated(_ draft: Draft) throws -> String {
        var errors = SLAPolicy.issues(draft.targets, warnBeforeMinutes: draft.warnBeforeMinutes)
        var name = draft.name
        do { name = try Validate.name(draft.name, field: "name") } catch { errors.add("name", .text) }
        try errors.throwIfAny()
        return name
    }

    private func checkTeam(_ team: TeamID?, data: WorkspaceData) async throws {
        guard let team else { return }
        if try await !data.teams.list().contains(where: { $0.id == team }) {
            throw DomainError.notFound(.team)
        }
    }
}
