import Foundation
import KefuCore
import KefuStore

/// What `kefu admin` does on the operator's behalf. It works across workspaces by design, so it uses the unscoped
/// store explicitly.
public struct AdminService: Sendable {
    let store: Store
    let hasher: PasswordHasher
    let clock: WallClock
    let events: any EventBus

    public init(store: Store, hasher: PasswordHasher, clock: WallClock, events: any EventBus) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
        self.events = events
    }

    /// What `kefu admin create` did.
    public struct Created: Sendable {
        public var workspace: Workspace
        public var user: UserAccount
        public var role: Role
        public var createdWorkspace: Bool
        public var createdUser: Bool
    }

    /// Creates the workspace if no workspace has that name's slug, the user if the e-mail is new, and the membership.
    public func createAdmin(email: String, password: String, workspaceName: String, role: Role, displayName: String?) async throws
        -> Created
    {
        let email = Validate.normalizedEmail(email)
        var errors = ValidationErrors()
        if !Validate.email(email) { errors.add("email", .email) }
        if let issue = Validate.passwordIssue(password) { errors.add("password", issue) }
        var title = ""
        do { title = try Validate.name(workspaceName, field: "workspace") } catch let issue as ValidationErrors {
            issue.issues.forEach { errors.add($0.key, $0.value) }
        }
        try errors.throwIfAny()
        let workspaceTitle = title
        let existingUser = try await store.unscoped.users.credentials(email: email)
        let hash = existingUser == nil ? try await hasher.hash(password) : ""
        let created = try await store.unscoped.transaction { [clock] system in
            let now = clock.now()
            let slug = Validate.slug(workspaceTitle) ? workspaceTitle : Validate.slugify(workspaceTitle)
            var createdWorkspace = false
            let workspace: Workspace
            if let found = try await system.workspaces.workspace(slug: slug) {
                workspace = found
            } else {
                // Its language follows the script of its name: "茶叶小店" is a Chinese shop.
                workspace = try await system.workspaces.create(
                    slug: slug, name: workspaceTitle, defaultLocale: .written(in: workspaceTitle), at: now)
                createdWorkspace = true
            }
            let user: UserAccount
            if let (found, _) = existingUser {
                user = found
            } else {
                user = try await system.users.create(
                    email: email, displayName: displayName ?? String(email.split(separator: "@")[0]), locale: nil,
                    passwordHash: hash, at: now)
            }
            let data = system.scoped(to: workspace.id)
            if let membership = try await data.members.membership(userID: user.id) {
                if membership.role != role { _ = try await data.members.setRole(userID: user.id, role: role) }
            } else {
                _ = try await data.members.add(userID: user.id, role: role, at: now)
            }
            try await data.audit.append(
                AuditTrail(clock: clock).event(
                    .memberAdded, actor: nil, actorLabel: "kefu admin create", target: email, ip: nil,
                    after: AuditTrail.json(["role": role.rawValue])))
            return Created(
                workspace: workspace, user: user, role: role, createdWorkspace: createdWorkspace,
                createdUser: existingUser == nil)
        }
        events.publish(.accessChanged(created.workspace.id))
        return created
    }

    /// Sets a new password for an existing user and ends their sessions and bearer tokens everywhere.
    /// Returns how many sessions and tokens ended.
    public func resetPassword(email: String, password: String) async throws -> Int {
        let email = Validate.normalizedEmail(email)
        if let issue = Validate.passwordIssue(password) { throw ValidationErrors("password", issue) }
        guard let (user, _) = try await store.unscoped.users.credentials(email: email) else {
            throw DomainError.notFound(.user)
        }
        let hash = try await hasher.hash(password)
        let ended = try await store.unscoped.transaction { [clock] system in
            try await system.users.setPasswordHash(userID: user.id, hash: hash)
            let ended = try await system.credentials.endSessions(userID: user.id)
            for (workspace, _) in try await system.users.workspaces(ofUser: user.id) {
                try await system.scoped(to: workspace.id).audit.append(
                    AuditTrail(clock: clock).event(
                        .passwordReset, actor: nil, actorLabel: "kefu admin reset-password", target: email, ip: nil))
            }
            return ended
        }
        for (workspace, _) in try await store.unscoped.users.workspaces(ofUser: user.id) {
            events.publish(.accessChanged(workspace.id))
        }
        return ended
    }
}
