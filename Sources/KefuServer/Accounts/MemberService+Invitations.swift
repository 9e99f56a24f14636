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

    /// The workspace's open invitations, newest first.
    public func pendingInvitations(_ actor: Identity) async throws -> [Invitation] {
        try await store.scoped(to: actor.workspace.id).invitations.pending(now: clock.now())
    }

    public func revokeInvitation(_ actor: Identity, id: InvitationID, ip: String?) async throws -> Invitation {
        try await store.scoped(to: actor.workspace.id).transaction { [audit, clock] data in
            let invitation = try await data.invitations.revoke(id: id, at: clock.now())
            try await data.audit.append(
                audit.event(
                    .invitationRevoked, actor: actor.user, target: invitation.email, ip: ip,
                    before: AuditTrail.json(["role": invitation.role.rawValue])))
            return invitation
        }
    }

    /// A new person accepts: the account is created with their name and password. An e-mail that already has an
    /// account is refused with the same answer whatever its password: its owner signs in first and accepts as
    /// themselves (`acceptInvitation(token:as:ip:)`), so the form can never be used to guess a password.
    public func acceptInvitation(token: String, displayName: String, password: String, ip: String?) async throws -> SignedIn {
        try await throttled(token: token, ip: ip) { invitation, workspace in
            var errors = ValidationErrors()
            var checkedName = ""
            do { checkedName = try Validate.name(displayName, field: "name") } catch let issue as ValidationErrors {
                errors = issue
            }
            if let issue = Validate.passwordIssue(password) { errors.add("password", issue) }
            try errors.throwIfAny()
            let name = checkedName
            // The same bcrypt work whether or not the e-mail has an account.
            let hash = try await hasher.hash(password)
            guard try await store.unscoped.users.credentials(email: invitation.email) == nil else {
                throw DomainError.conflict(.signInToAccept)
            }
            return try await join(invitation, workspace, ip: ip) { system, now in
                try await system.users.create(
                    email: invitation.email, displayName: name, locale: nil, passwordHash: hash, at: now)
            }
        }
    }

    /// A signed-in user accepts an invitation addressed to their own e-mail.
    public func acceptInvitation(token: String, as user: UserAccount, ip: String?) async throws -> SignedIn {
        try await throttled(token: token, ip: ip) { invitation, workspace in
            guard Validate.normalizedEmail(user.email) == invitation.email else {
                throw DomainError.forbidden(.invitationForSomeoneElse)
            }
            return try await join(invitation, workspace, ip: ip) { _, _ in user }
        }
    }

    /// Acceptance is throttled and audited like sign-in: an attempt is charged before anything is checked.
    private func throttled(
        token: String, ip: String?, _ body: (Invitation, Workspace) async throws -> SignedIn
    ) async throws -> SignedIn {
        let keys = ["invite:" + Secrets.hash(token)] + (ip.map { ["ip:" + $0] } ?? [])
        let counters = store.unscoped.signInCounters
        try await throttle.admit(keys, counters: counters, now: clock.now())
        guard let (invitation, workspace) = try await openInvitation(token: token) else {
            throw DomainError.notFound(.invitation)
        }
        do {
            let signedIn = try await body(invitation, workspace)
            try await throttle.succeeded(keys, counters: counters)
            return signedIn
        } catch {
            try? await store.scoped(to: workspace.id).audit.append(
                audit.event(.invitationFailed, actor: nil, actorLabel: invitation.email, target: invitation.email, ip: ip))
            throw error
        }
    }

    /// Marks the invitation used and adds the membership, after checking again that whoever invited may still grant
    /// the role (a demoted or removed inviter's invitations no longer work).
    private func join(
        _ invitation: Invitation, _ workspace: Workspace, ip: String?,
        user: @escaping @Sendable (UnscopedData, Date) async throws -> UserAccount
    ) async throws -> SignedIn {
        let signedIn = try await store.unscoped.transaction { [audit, clock] system in
            let now = clock.now()
            let data = system.scoped(to: workspace.id)
            try await data.members.lockForChange()
            guard try await Self.inviterMayStillGrant(invitation, data) else {
                _ = try await data.invitations.revoke(id: invitation.id, at: now)
                return nil as SignedIn?
            }
            try await data.invitations.markAccepted(id: invitation.id, at: now)
            let member = try await user(system, now)
            let membership = try await data.members.add(userID: member.id, role: invitation.role, at: now)
            try await data.audit.append(
                audit.event(
                    .memberJoined, actor: member, target: member.email, ip: ip,
                    after: AuditTrail.json(["role": membership.role.rawValue])))
            return SignedIn(user: member, workspace: workspace, role: membership.role)
        }
        guard let signedIn else { throw DomainError.notFound(.invitation) }
        events.publish(.accessChanged(workspace.id))
        return signedIn
    }

    private static func inviterMayStillGrant(_ invitation: Invitation, _ data: WorkspaceData) async throws -> Bool {
        guard let inviter = invitation.invitedBy else { return true }
        guard let membership = try await data.members.membership(userID: inviter) else { return false }
        return PermissionTable.canAssign(invitation.role, by: membership.role)
    }
}
