import Foundation
import KefuCore
import KefuStore

/// Sign-in, sessions, tokens, invitations and membership changes, each audited. Permission to call a method is
/// checked by the route; rules about *which* roles an actor may hand out live here.
public struct AccountService: Sendable {
    let store: Store
    let hasher: PasswordHasher
    let clock: WallClock
    let config: AppConfig
    let throttle = SignInThrottle()
    let cache: IdentityCache
    var audit: AuditTrail { AuditTrail(clock: clock) }

    public init(store: Store, hasher: PasswordHasher, clock: WallClock, config: AppConfig) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
        self.config = config
        self.cache = IdentityCache(ttl: .seconds(config.authCacheSeconds))
    }

    // MARK: Sign-in

    /// Checks e-mail and password; the failure never says which of the two was wrong.
    public func signIn(email: String, password: String, workspaceSlug: String?, ip: String?) async throws -> SignedIn {
        let repos = store.repositories
        let email = Validate.normalizedEmail(email)
        let now = clock.now()
        try await checkThrottle(email: email, ip: ip, now: now, repos: repos)
        let found = try await repos.accounts.credentials(email: email)
        var verified = false
        if let (_, hash) = found {
            verified = try await hasher.verify(password, hash: hash)
        } else {
            try await hasher.verifyDecoy(password)
        }
        let target = try await found.asyncMap { try await pickWorkspace(user: $0.0, slug: workspaceSlug, repos: repos) } ?? nil
        guard verified, let (user, _) = found, user.status == .active, let (workspace, role) = target else {
            // Attempts on a known account show in that account's workspace log; unknown e-mails are kept for throttling.
            let workspaceID = try await found.asyncMap { try await repos.accounts.workspaces(ofUser: $0.0.id).first?.0.id } ?? nil
            try await repos.audit.append(
                audit.event(
                    .signInFailed, workspaceID: target?.0.id ?? workspaceID, actor: nil, actorLabel: email, target: email, ip: ip)
            )
            throw DomainError.unauthenticated
        }
        try await repos.audit.append(audit.event(.signIn, workspaceID: workspace.id, actor: user, target: user.email, ip: ip))
        return SignedIn(user: user, workspace: workspace, role: role)
    }

    private func checkThrottle(email: String, ip: String?, now: Date, repos: Repositories) async throws {
        let since = now.addingTimeInterval(-throttle.horizon)
        let byEmail = try await repos.audit.failedSignIns(email: email, ip: nil, since: since)
        let byIP = ip == nil ? [] : try await repos.audit.failedSignIns(email: nil, ip: ip, since: since)
        let until = [throttle.lockedUntil(failures: byEmail, now: now), throttle.lockedUntil(failures: byIP, now: now)]
            .compactMap { $0 }.max()
        if let until {
            throw DomainError.rateLimited(retryAfterSeconds: max(1, Int(until.timeIntervalSince(now).rounded(.up))))
        }
    }

    private func pickWorkspace(user: UserAccount, slug: String?, repos: Repositories) async throws -> (Workspace, Role)? {
        let all = try await repos.accounts.workspaces(ofUser: user.id)
        guard let slug, !slug.isEmpty else { return all.first }
        return all.first { $0.0.slug == slug }
    }

    /// Starts a browser session; returns the cookie value and its CSRF token.
    public func startSession(_ signedIn: SignedIn) async throws -> (token: String, csrf: String) {
        let token = Secrets.token(prefix: "")
        let csrf = Secrets.token(prefix: "")
        let now = clock.now()
        try await store.repositories.credentials.createSession(
            workspaceID: signedIn.workspace.id, userID: signedIn.user.id, tokenHash: Secrets.hash(token), csrfToken: csrf,
            at: now, expiresAt: now.addingTimeInterval(TimeInterval(config.sessionHours * 3600)))
        return (token, csrf)
    }

    /// A short-lived bearer token for API clients.
    public func issueBearerToken(_ signedIn: SignedIn) async throws -> (token: String, expiresAt: Date) {
        let token = Secrets.token(prefix: "kefu_bt_")
        let now = clock.now()
        let expiresAt = now.addingTimeInterval(TimeInterval(config.bearerTokenMinutes * 60))
        _ = try await store.repositories.credentials.createToken(
            workspaceID: signedIn.workspace.id, userID: signedIn.user.id, name: "bearer", kind: .bearer,
            tokenHash: Secrets.hash(token), at: now, expiresAt: expiresAt)
        return (token, expiresAt)
    }

    public func identify(sessionToken: String) async throws -> Identity? {
        let hash = Secrets.hash(sessionToken)
        if let cached = cache.value("session:" + hash, as: Identity.self) { return cached }
        let repos = store.repositories
        guard let session = try await repos.credentials.session(tokenHash: hash, now: clock.now()) else { return nil }
        let found = try await identity(
            userID: session.userID, workspaceID: session.workspaceID,
            credential: .session(tokenHash: hash, csrfToken: session.csrfToken), repos: repos)
        if let found, session.expiresAt > clock.now().addingTimeInterval(60) { cache.store("session:" + hash, found) }
        return found
    }

    public func identify(bearer token: String) async throws -> Identity? {
        let hash = Secrets.hash(token)
        if let cached = cache.value("bearer:" + hash, as: Identity.self) { return cached }
        let repos = store.repositories
        guard let info = try await repos.credentials.useToken(tokenHash: hash, now: clock.now()) else {
            return nil
        }
        let found = try await identity(
            userID: info.userID, workspaceID: info.workspaceID, credential: .token(id: info.id, kind: info.kind), repos: repos)
        let longLived = info.expiresAt.map { $0 > clock.now().addingTimeInterval(60) } ?? true
        if let found, longLived { cache.store("bearer:" + hash, found) }
        return found
    }

    private func identity(userID: UUID, workspaceID: UUID, credential: Identity.Credential, repos: Repositories) async throws
        -> Identity?
    {
        guard let membership = try await repos.accounts.membership(workspaceID: workspaceID, userID: userID),
            membership.user.status == .active,
            let workspace = try await repos.accounts.workspace(id: workspaceID)
        else { return nil }
        return Identity(user: membership.user, workspace: workspace, role: membership.role, credential: credential)
    }

    public func signOut(_ identity: Identity, ip: String?) async throws {
        let repos = store.repositories
        if case .session(let hash, _) = identity.credential {
            try await repos.credentials.deleteSession(tokenHash: hash)
        }
        cache.removeAll()
        try await repos.audit.append(
            audit.event(.signOut, workspaceID: identity.workspace.id, actor: identity.user, target: identity.user.email, ip: ip))
    }

    // MARK: Personal API tokens

    public func createPersonalToken(_ identity: Identity, name: String, ip: String?) async throws -> (
        token: String, info: APITokenInfo
    ) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors = ValidationErrors()
        if trimmed.isEmpty || trimmed.count > 100 { errors.add("name", "1 to 100 characters") }
        try errors.throwIfAny()
        let token = Secrets.token(prefix: "kefu_pat_")
        let info = try await store.transaction { [audit, clock] repos in
            let info = try await repos.credentials.createToken(
                workspaceID: identity.workspace.id, userID: identity.user.id, name: trimmed, kind: .personal,
                tokenHash: Secrets.hash(token), at: clock.now(), expiresAt: nil)
            try await repos.audit.append(
                audit.event(
                    .tokenCreated, workspaceID: identity.workspace.id, actor: identity.user,
                    target: "token:\(info.id) \(trimmed)", ip: ip))
            return info
        }
        return (token, info)
    }

    public func personalTokens(_ identity: Identity) async throws -> [APITokenInfo] {
        try await store.repositories.credentials.personalTokens(workspaceID: identity.workspace.id, userID: identity.user.id)
    }

    public func revokeToken(_ identity: Identity, id: UUID, ip: String?) async throws -> APITokenInfo {
        defer { cache.removeAll() }
        return try await store.transaction { [audit, clock] repos in
            let info = try await repos.credentials.revokeToken(
                id: id, workspaceID: identity.workspace.id, userID: identity.user.id, at: clock.now())
            try await repos.audit.append(
                audit.event(
                    .tokenRevoked, workspaceID: identity.workspace.id, actor: identity.user, target: "token:\(id) \(info.name)",
                    ip: ip))
            return info
        }
    }
}

extension Optional {
    /// `map` for an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
