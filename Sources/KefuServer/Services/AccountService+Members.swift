import Foundation
import KefuCore
import KefuStore

extension AccountService {
    /// Creates a one-time invitation; the returned token goes into the sign-up link.
    public func invite(_ actor: Identity, email: String, role: Role, ip: String?) async throws -> (Invitation, token: String) {
        let email = Validate.normalizedEmail(email)
        var errors = ValidationErrors()
        if !Validate.email(email) { errors.add("email", "not a valid e-mail address") }
        try errors.throwIfAny()
        guard PermissionTable.canAssign(role, by: actor.role) else {
            throw DomainError.forbidden("your role cannot invite a member as \(role.rawValue)")
        }
        let token = Secrets.token(prefix: "")
        let invitation = try await store.transaction { [audit, clock] repos in
            if let (user, _) = try await repos.accounts.credentials(email: email),
                try await repos.accounts.membership(workspaceID: actor.workspace.id, userID: user.id) != nil
            {
                throw DomainError.conflict("already a member of this workspace")
            }
            let now = clock.now()
            let invitation = try await repos.credentials.createInvitation(
                workspaceID: actor.workspace.id, email: email, role: role, tokenHash: Secrets.hash(token),
                invitedBy: actor.user.id, at: now, expiresAt: now.addingTimeInterval(7 * 24 * 3600))
            try await repos.audit.append(
                audit.event(
                    .memberInvited, workspaceID: actor.workspace.id, actor: actor.user, target: email, ip: ip,
                    after: AuditTrail.json(["role": role.rawValue])))
            return invitation
        }
        return (invitation, token)
    }

    public func openInvitation(token: String) async throws -> (Invitation, Workspace)? {
        let repos = store.repositories
        guard let invitation = try await repos.credentials.openInvitation(tokenHash: Secrets.hash(token), now: clock.now()),
            let workspace = try await repos.accounts.workspace(id: invitation.workspaceID)
        else { return nil }
        return (invitation, workspace)
    }

    /// Creates the account (or, for an existing user, checks their password) and adds the membership.
    public func acceptInvitation(token: String, displayName: String, password: String, ip: String?) async throws -> SignedIn {
        guard let (invitation, workspace) = try await openInvitation(token: token) else {
            throw DomainError.notFound("invitation")
        }
        let name = displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        let existing = try await store.repositories.accounts.credentials(email: invitation.email)
        var errors = ValidationErrors()
        if existing == nil && (name.isEmpty || name.count > 100) { errors.add("name", "1 to 100 characters") }
        if !Validate.password(password) { errors.add("password", "10 to 200 characters") }
        try errors.throwIfAny()
        let hash: String
        if let (_, existingHash) = existing {
            guard try await hasher.verify(password, hash: existingHash) else { throw DomainError.unauthenticated }
            hash = existingHash
        } else {
            hash = try await hasher.hash(password)
        }
        defer { cache.removeAll() }
        return try await store.transaction { [audit, clock] repos in
            let now = clock.now()
            try await repos.credentials.markAccepted(invitationID: invitation.id, at: now)
            let user: UserAccount
            if let (found, _) = existing {
                user = found
            } else {
                user = try await repos.accounts.createUser(
                    email: invitation.email, displayName: name, locale: nil, passwordHash: hash, at: now)
            }
            let membership = try await repos.accounts.addMember(
                workspaceID: workspace.id, userID: user.id, role: invitation.role, at: now)
            try await repos.audit.append(
                audit.event(
                    .memberJoined, workspaceID: workspace.id, actor: user, target: user.email, ip: ip,
                    after: AuditTrail.json(["role": membership.role.rawValue])))
            return SignedIn(user: user, workspace: workspace, role: membership.role)
        }
    }

    public func members(_ actor: Identity, after: String?, limit: Int) async throws -> [Membership] {
        try await store.repositories.accounts.members(workspaceID: actor.workspace.id, after: after, limit: limit)
    }

    /// Changes a member's role. Admins manage everyone below owner; the last owner cannot be demoted.
    public func changeRole(_ actor: Identity, userID: UUID, to role: Role, ip: String?) async throws -> Membership {
        defer { cache.removeAll() }
        return try await store.transaction { [audit] repos in
            guard let current = try await repos.accounts.membership(workspaceID: actor.workspace.id, userID: userID) else {
                throw DomainError.notFound("member")
            }
            guard PermissionTable.canAssign(role, by: actor.role), PermissionTable.canAssign(current.role, by: actor.role) else {
                throw DomainError.forbidden("your role cannot make this change")
            }
            if current.role == role { return current }
            if current.role == .owner, try await repos.accounts.ownerCount(workspaceID: actor.workspace.id) <= 1 {
                throw DomainError.conflict("a workspace needs at least one owner")
            }
            let previous = try await repos.accounts.setRole(workspaceID: actor.workspace.id, userID: userID, role: role)
            try await repos.audit.append(
                audit.event(
                    .memberRoleChanged, workspaceID: actor.workspace.id, actor: actor.user, target: current.user.email, ip: ip,
                    before: AuditTrail.json(["role": previous.rawValue]), after: AuditTrail.json(["role": role.rawValue])))
            var updated = current
            updated.role = role
            return updated
        }
    }

    public func removeMember(_ actor: Identity, userID: UUID, ip: String?) async throws {
        defer { cache.removeAll() }
        try await store.transaction { [audit] repos in
            guard let current = try await repos.accounts.membership(workspaceID: actor.workspace.id, userID: userID) else {
                throw DomainError.notFound("member")
            }
            guard PermissionTable.canAssign(current.role, by: actor.role) else {
                throw DomainError.forbidden("your role cannot remove this member")
            }
            if current.role == .owner, try await repos.accounts.ownerCount(workspaceID: actor.workspace.id) <= 1 {
                throw DomainError.conflict("a workspace needs at least one owner")
            }
            _ = try await repos.accounts.removeMember(workspaceID: actor.workspace.id, userID: userID)
            try await repos.audit.append(
                audit.event(
                    .memberRemoved, workspaceID: actor.workspace.id, actor: actor.user, target: current.user.email, ip: ip,
                    before: AuditTrail.json(["role": current.role.rawValue])))
        }
    }

    public func updateWorkspace(_ actor: Identity, name: String?, defaultLocale: String?, ip: String?) async throws -> Workspace {
        var errors = ValidationErrors()
        let newName = (name ?? actor.workspace.name).trimmingCharacters(in: .whitespacesAndNewlines)
        if newName.isEmpty || newName.count > 100 { errors.add("name", "1 to 100 characters") }
        let locale = defaultLocale.map { UILocale(loose: $0)?.rawValue } ?? actor.workspace.defaultLocale
        if locale == nil { errors.add("default_locale", "one of: en, zh-CN") }
        try errors.throwIfAny()
        defer { cache.removeAll() }
        return try await store.transaction { [audit] repos in
            let before = actor.workspace
            let updated = try await repos.accounts.updateWorkspace(id: before.id, name: newName, defaultLocale: locale ?? "en")
            try await repos.audit.append(
                audit.event(
                    .settingsChanged, workspaceID: before.id, actor: actor.user, target: "workspace", ip: ip,
                    before: AuditTrail.json(["name": before.name, "default_locale": before.defaultLocale]),
                    after: AuditTrail.json(["name": updated.name, "default_locale": updated.defaultLocale])))
            return updated
        }
    }

    public func auditEvents(_ actor: Identity, before: AuditCursor?, limit: Int) async throws -> [AuditEvent] {
        try await store.repositories.audit.events(workspaceID: actor.workspace.id, before: before, limit: limit)
    }

    public func workspaces(of user: UserAccount) async throws -> [(Workspace, Role)] {
        if let cached = cache.value("workspaces:" + user.id.uuidString, as: [WorkspaceRole].self) {
            return cached.map { ($0.workspace, $0.role) }
        }
        let found = try await store.repositories.accounts.workspaces(ofUser: user.id)
        cache.store("workspaces:" + user.id.uuidString, found.map { WorkspaceRole(workspace: $0.0, role: $0.1) })
        return found
    }
}

extension AccountService {
    public func teams(_ actor: Identity) async throws -> [Team] {
        try await store.repositories.teams.teams(workspaceID: actor.workspace.id)
    }

    public func createTeam(_ actor: Identity, name: String, ip: String?) async throws -> Team {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors = ValidationErrors()
        if trimmed.isEmpty || trimmed.count > 100 { errors.add("name", "1 to 100 characters") }
        try errors.throwIfAny()
        return try await store.transaction { [audit] repos in
            let team = try await repos.teams.create(workspaceID: actor.workspace.id, name: trimmed, at: audit.clock.now())
            try await repos.audit.append(
                audit.event(
                    .settingsChanged, workspaceID: actor.workspace.id, actor: actor.user, target: "team", ip: ip,
                    after: AuditTrail.json(["team": trimmed])))
            return team
        }
    }
}

/// A workspace and the user's role in it, as cached.
struct WorkspaceRole: Sendable {
    let workspace: Workspace
    let role: Role
}
