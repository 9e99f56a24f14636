import Foundation
import KefuCore
import KefuStore

extension AccountService {
    /// What `kefu admin create` did.
    public struct AdminCreated: Sendable {
        public var workspace: Workspace
        public var user: UserAccount
        public var role: Role
        public var createdWorkspace: Bool
        public var createdUser: Bool
    }

    /// Creates the workspace if no workspace has that name's slug, the user if the e-mail is new, and the membership.
    public func createAdmin(email: String, password: String, workspaceName: String, role: Role, displayName: String?) async throws
        -> AdminCreated
    {
        let email = Validate.normalizedEmail(email)
        var errors = ValidationErrors()
        if !Validate.email(email) { errors.add("email", "not a valid e-mail address") }
        if !Validate.password(password) { errors.add("password", "10 to 200 characters") }
        if workspaceName.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("workspace", "must not be empty") }
        try errors.throwIfAny()
        let existingUser = try await store.repositories.accounts.credentials(email: email)
        let hash = existingUser == nil ? try await hasher.hash(password) : ""
        defer { cache.removeAll() }
        return try await store.transaction { [clock] repos in
            let now = clock.now()
            let slug = Validate.slug(workspaceName) ? workspaceName : Validate.slugify(workspaceName)
            var createdWorkspace = false
            let workspace: Workspace
            if let found = try await repos.accounts.workspace(slug: slug) {
                workspace = found
            } else {
                workspace = try await repos.accounts.createWorkspace(
                    slug: slug, name: workspaceName, defaultLocale: "en", at: now)
                createdWorkspace = true
            }
            let user: UserAccount
            if let (found, _) = existingUser {
                user = found
            } else {
                user = try await repos.accounts.createUser(
                    email: email, displayName: displayName ?? String(email.split(separator: "@")[0]), locale: nil,
                    passwordHash: hash, at: now)
            }
            if let membership = try await repos.accounts.membership(workspaceID: workspace.id, userID: user.id) {
                if membership.role != role {
                    _ = try await repos.accounts.setRole(workspaceID: workspace.id, userID: user.id, role: role)
                }
            } else {
                _ = try await repos.accounts.addMember(workspaceID: workspace.id, userID: user.id, role: role, at: now)
            }
            try await repos.audit.append(
                AuditTrail(clock: clock).event(
                    .memberAdded, workspaceID: workspace.id, actor: nil, actorLabel: "kefu admin create", target: email,
                    ip: nil, after: AuditTrail.json(["role": role.rawValue])))
            return AdminCreated(
                workspace: workspace, user: user, role: role, createdWorkspace: createdWorkspace, createdUser: existingUser == nil
            )
        }
    }
}
