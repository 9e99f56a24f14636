import Foundation
import KefuCore
import KefuStore

/// Members, their roles and invitations. Permission to call a method is checked by the route; rules about *which*
/// roles an actor may hand out live here.
public struct MemberService: Sendable {
    let store: Store
    let hasher: PasswordHasher
    let clock: WallClock
    let events: any EventBus
    /// The workspaces of recently seen users (`GET /api/v1/me` on every page load); cleared on any access change.
    let workspaceCache: TTLCache<UserID>
    let throttle = SignInThrottle()
    var audit: AuditTrail { AuditTrail(clock: clock) }

    public init(store: Store, hasher: PasswordHasher, clock: WallClock, events: any EventBus, cacheSeconds: Int) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
        self.events = events
        let cache = TTLCache<UserID>(ttl: .seconds(cacheSeconds))
        self.workspaceCache = cache
        events.subscribe { event in
            if case .accessChanged = event { cache.removeAll() }
        }
    }

    public func members(_ actor: Identity, after: String?, limit: Int) async throws -> [Membership] {
        try await store.scoped(to: actor.workspace.id).members.list(after: after, limit: limit)
    }

    /// Every workspace the user belongs to, with their role there.
    public func workspaces(of user: UserAccount) async throws -> [(Workspace, Role)] {
        let key = user.id
        if let cached = workspaceCache.value(key, as: [WorkspaceRole].self) { return cached.map { ($0.workspace, $0.role) } }
        let epoch = workspaceCache.epoch
        let found = try await store.unscoped.users.workspaces(ofUser: user.id)
        workspaceCache.store(key, found.map { WorkspaceRole(workspace: $0.0, role: $0.1) }, loadedAt: epoch)
        return found
    }

    /// Changes a member's role. Admins manage everyone below owner; the last owner cannot be demoted.
    public func changeRole(_ actor: Identity, userID: UserID, to role: Role, ip: String?) async throws -> Membership {
        let updated = try await store.scoped(to: actor.workspace.id).transaction { [audit] data in
            try await data.members.lockForChange()
            guard let current = try await data.members.membership(userID: userID) else { throw DomainError.notFound(.member) }
            guard PermissionTable.canAssign(role, by: actor.role), PermissionTable.canAssign(current.role, by: actor.role) else {
                throw DomainError.forbidden(.cannotChangeMember)
            }
            if current.role == role { return current }
            if current.role == .owner, try await data.members.ownerCount() <= 1 { throw DomainError.conflict(.lastOwner) }
            let previous = try await data.members.setRole(userID: userID, role: role)
            // Invitations they made for roles they can no longer give stop working.
            let grantable = Set(Role.allCases.filter { PermissionTable.canAssign($0, by: role) })
            _ = try await data.invitations.revokePending(invitedBy: userID, keeping: grantable, at: audit.clock.now())
            try await data.audit.append(
                audit.event(
                    .memberRoleChanged, actor: actor.user, target: current.user.email, ip: ip,
                    before: AuditTrail.json(["role": previous.rawValue]), after: AuditTrail.json(["role": role.rawValue])))
            var updated = current
            updated.role = role
            return updated
        }
        events.publish(.accessChanged(actor.workspace.id))
        return updated
    }

    public func removeMember(_ actor: Identity, userID: UserID, ip: String?) async throws {
        try await store.scoped(to: actor.workspace.id).transaction { [audit] data in
            try await data.members.lockForChange()
            guard let current = try await data.members.membership(userID: userID) else { throw DomainError.notFound(.member) }
            guard PermissionTable.canAssign(current.role, by: actor.role) else {
                throw DomainError.forbidden(.cannotRemoveMember)
            }
            if current.role == .owner, try await data.members.ownerCount() <= 1 { throw DomainError.conflict(.lastOwner) }
            _ = try await data.members.remove(userID: userID)
            // A removed member cannot come back through an old link, nor let others in through theirs.
            let now = audit.clock.now()
            _ = try await data.invitations.revokePending(email: current.user.email, at: now)
            _ = try await data.invitations.revokePending(invitedBy: userID, keeping: [], at: now)
            try await data.audit.append(
                audit.event(
                    .memberRemoved, actor: actor.user, target: current.user.email, ip: ip,
                    before: AuditTrail.json(["role": current.role.rawValue])))
        }
        events.publish(.accessChanged(actor.workspace.id))
    }
}

/// A workspace and the user's role in it, as cached.
struct WorkspaceRole: Sendable {
    let workspace: Workspace
    let role: Role
}
