import Foundation
import KefuCore
import KefuStore

extension MemberService {
    /// How long an invitation link works.
    static let invitationLifetime: TimeInterval = 7 * 24 * 3600

    /// Creates a one-time invitation; the returned token goes into the sign-up link.
    public func invite(_ actor: Identity, email: String, role: Role, ip: String?) async throws -> (Invitation, token: String) {
        let email = Validate.normalizedEmail(email)
        guard Validate.email(email) else { throw ValidationErrors("email", .email) }
        guard PermissionTable.canAssign(role, by: actor.role) else { throw DomainError.forbidden(.cannotGrantRole) }
        let token = Secrets.token(prefix: "")
        // Looked up before the transaction: on SQLite a second handle inside it would wait for its connection.
        let existing = try await store.unscoped.users.credentials(email: email)?.0
        let invitation = try await store.scoped(to: actor.workspace.id).transaction { [audit, clock] data in
            if let existing, try await data.members.membership(userID: existing.id) != nil {
                throw DomainError.conflict(.alreadyMember)
            }
            let now = clock.now()
            let invitation = try await data.invitations.create(
                email: email, role: role, tokenHash: Secrets.hash(token), invitedBy: actor.user.id, at: now,
                expiresAt: now.addingTimeInterval(Self.invitationLifetime))
            try await data.audit.append(
                audit.event(
                    .memberInvited, actor: actor.user, target: email, ip: ip, after: AuditTrail.json(["role": role.rawValue])))
            return invitation
        }
        return (invitation, token)
    }

    public func openInvitation(token: String) async throws -> (Invitation, Workspace)? {
        let system = store.unscoped
        guard let invitation = try await system.credentials.openInvitation(tokenHash: Secrets.hash(token), now: clock.now()),
            let workspace = try await system.workspaces.workspace(id: invitation.workspaceID)
        else { return nil }
        return (invitation, workspace)
    }

    /// Creates the account (or, for an existing user, checks their password) and adds the membership.
    public func acceptInvitation(token: String, displayName: String, password: String, ip: String?) async throws -> SignedIn {
        guard let (invitation, workspace) = try await openInvitation(token: token) else {
            throw DomainError.notFound(.invitation)
        }
        let users = store.unscoped.users
        let existing = try await users.credentials(email: invitation.email)
        var errors = ValidationErrors()
        var checkedName = ""
        if existing == nil {
            do { checkedName = try Validate.name(displayName, field: "name") } catch let issue as ValidationErrors {
                errors = issue
            }
        }
        if existing == nil, let issue = Validate.passwordIssue(password) { errors.add("password", issue) }
        try errors.throwIfAny()
        let name = checkedName
        let hash: String
        if let (_, existingHash) = existing {
            guard try await hasher.verify(password, hash: existingHash).matches else { throw DomainError.unauthenticated }
            hash = existingHash
        } else {
            hash = try await hasher.hash(password)
        }
        let signedIn = try await store.unscoped.transaction { [audit, clock] system in
            let now = clock.now()
            let data = system.scoped(to: workspace.id)
            try await data.invitations.markAccepted(id: invitation.id, at: now)
            let user: UserAccount
            if let (found, _) = existing {
                user = found
            } else {
                user = try await system.users.create(
                    email: invitation.email, displayName: name, locale: nil, passwordHash: hash, at: now)
            }
            let membership = try await data.members.add(userID: user.id, role: invitation.role, at: now)
            try await data.audit.append(
                audit.event(
                    .memberJoined, actor: user, target: user.email, ip: ip,
                    after: AuditTrail.json(["role": membership.role.rawValue])))
            return SignedIn(user: user, workspace: workspace, role: membership.role)
        }
        events.publish(.accessChanged(workspace.id))
        return signedIn
    }
}
