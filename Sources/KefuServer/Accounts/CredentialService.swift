import Foundation
import KefuCore
import KefuStore

/// Sign-in and credentials: the brute-force throttle, browser sessions, bearer and personal tokens, and resolving a
/// credential to an `Identity` (through a short-lived cache that access changes clear).
public struct CredentialService: Sendable {
    let store: Store
    let hasher: PasswordHasher
    let clock: WallClock
    let events: any EventBus
    let sessionLifetime: TimeInterval
    let bearerLifetime: TimeInterval
    let throttle = SignInThrottle()
    let cache: TTLCache<String>
    var audit: AuditTrail { AuditTrail(clock: clock) }

    public init(store: Store, hasher: PasswordHasher, clock: WallClock, events: any EventBus, config: AppConfig) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
        self.events = events
        self.sessionLifetime = TimeInterval(config.sessionHours * 3600)
        self.bearerLifetime = TimeInterval(config.bearerTokenMinutes * 60)
        let cache = TTLCache<String>(ttl: .seconds(config.authCacheSeconds))
        self.cache = cache
        events.subscribe { event in
            if case .accessChanged = event { cache.removeAll() }
        }
    }

    /// Checks e-mail and password; the failure never says which of the two was wrong.
    public func signIn(email: String, password: String, workspaceSlug: String?, ip: String?) async throws -> SignedIn {
        let system = store.unscoped
        let email = Validate.normalizedEmail(email)
        let keys = SignInThrottle.keys(email: email, ip: ip)
        try await throttle.admit(keys, counters: system.signInCounters, now: clock.now())
        let found = try await system.users.credentials(email: email)
        var verified = false
        if let (user, hash) = found {
            let verdict = try await hasher.verify(password, hash: hash)
            verified = verdict.matches
            if verdict.matches && verdict.needsUpgrade {
                try await system.users.setPasswordHash(userID: user.id, hash: try await hasher.hash(password))
            }
        } else {
            try await hasher.verifyDecoy(password)
        }
        var memberships: [(Workspace, Role)] = []
        if let (user, _) = found { memberships = try await system.users.workspaces(ofUser: user.id) }
        let target =
            (workspaceSlug ?? "").isEmpty ? memberships.first : memberships.first { $0.0.slug == workspaceSlug }
        guard verified, let (user, _) = found, user.status == .active, let (workspace, role) = target else {
            // Attempts on a known account show in that account's workspace log; unknown e-mails are kept for throttling.
            try await system.audit.append(
                audit.event(
                    .signInFailed, actor: nil, actorLabel: email, target: email, ip: ip,
                    workspaceID: target?.0.id ?? memberships.first?.0.id))
            throw DomainError.unauthenticated
        }
        try await throttle.succeeded(keys, counters: system.signInCounters)
        try await store.scoped(to: workspace.id).audit.append(audit.event(.signIn, actor: user, target: user.email, ip: ip))
        return SignedIn(user: user, workspace: workspace, role: role)
    }

    /// Starts a browser session; returns the cookie value and its CSRF token.
    public func startSession(_ signedIn: SignedIn) async throws -> (token: String, csrf: String) {
        let token = Secrets.token(prefix: "")
        let csrf = Secrets.token(prefix: "")
        let now = clock.now()
        try await store.scoped(to: signedIn.workspace.id).sessions.create(
            userID: signedIn.user.id, tokenHash: Secrets.hash(token), csrfToken: csrf, at: now,
            expiresAt: now.addingTimeInterval(sessionLifetime))
        return (token, csrf)
    }

    /// A short-lived bearer token for API clients.
    public func issueBearerToken(_ signedIn: SignedIn) async throws -> (token: String, expiresAt: Date) {
        let token = Secrets.token(prefix: "kefu_bt_")
        let now = clock.now()
        let expiresAt = now.addingTimeInterval(bearerLifetime)
        _ = try await store.scoped(to: signedIn.workspace.id).tokens.create(
            userID: signedIn.user.id, name: "bearer", kind: .bearer, tokenHash: Secrets.hash(token), at: now,
            expiresAt: expiresAt)
        return (token, expiresAt)
    }

    /// `fresh` reads past the cache: a socket rechecking after an access change must not meet the identity the
    /// change is about to clear (subscribers hear the change in no set order).
    public func identify(sessionToken: String, fresh: Bool = false) async throws -> Identity? {
        let hash = Secrets.hash(sessionToken)
        if !fresh, let cached = cache.value("session:" + hash, as: Identity.self) { return cached }
        let epoch = cache.epoch
        guard let session = try await store.unscoped.credentials.session(tokenHash: hash, now: clock.now()) else {
            return nil
        }
        let found = try await identity(
            userID: session.userID, in: store.scoped(to: session.workspaceID),
            credential: .session(tokenHash: hash, csrfToken: session.csrfToken))
        if let found, session.expiresAt > clock.now().addingTimeInterval(60) {
            cache.store("session:" + hash, found, loadedAt: epoch)
        }
        return found
    }

    public func identify(bearer token: String, fresh: Bool = false) async throws -> Identity? {
        let hash = Secrets.hash(token)
        if !fresh, let cached = cache.value("bearer:" + hash, as: Identity.self) { return cached }
        let epoch = cache.epoch
        guard let info = try await store.unscoped.credentials.useToken(tokenHash: hash, now: clock.now()) else {
            return nil
        }
        let found = try await identity(
            userID: info.userID, in: store.scoped(to: info.workspaceID),
            credential: .token(id: info.id, kind: info.kind, expiresAt: info.expiresAt))
        let longLived = info.expiresAt.map { $0 > clock.now().addingTimeInterval(60) } ?? true
        if let found, longLived { cache.store("bearer:" + hash, found, loadedAt: epoch) }
        return found
    }

    private func identity(userID: UserID, in data: WorkspaceData, credential: Identity.Credential) async throws -> Identity? {
        guard let membership = try await data.members.membership(userID: userID), membership.user.status == .active else {
            return nil
        }
        let workspace = try await data.profile.get()
        return Identity(user: membership.user, workspace: workspace, role: membership.role, credential: credential)
    }

    public func signOut(_ identity: Identity, ip: String?) async throws {
        let data = store.scoped(to: identity.workspace.id)
        if case .session(let hash, _) = identity.credential {
            try await data.sessions.delete(tokenHash: hash)
        }
        events.publish(.accessChanged(identity.workspace.id))
        try await data.audit.append(audit.event(.signOut, actor: identity.user, target: identity.user.email, ip: ip))
    }
}
