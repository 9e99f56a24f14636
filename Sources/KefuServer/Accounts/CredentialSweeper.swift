import Foundation
import KefuStore
import Logging
import ServiceLifecycle

/// Deletes expired sessions and short-lived bearer tokens every `interval`, so the tables do not grow with every
/// sign-in. Safe on several instances at once: each run is one idempotent delete.
public struct CredentialSweeper: Service {
    let store: Store
    let clock: WallClock
    let interval: Duration
    let logger: Logger

    public init(store: Store, clock: WallClock, interval: Duration = .seconds(600), logger: Logger) {
        self.store = store
        self.clock = clock
        self.interval = interval
        self.logger = logger
    }

    /// One sweep; returns the number of rows deleted.
    @discardableResult
    public func sweep() async throws -> Int {
        let now = clock.now()
        try await store.unscoped.signInCounters.deleteStale(now: now, window: SignInThrottle().window)
        try await store.optimize()
        return try await store.unscoped.credentials.deleteExpired(now: now)
    }

    public func run() async throws {
        // Stops at the next sleep when the server shuts down; a thrown CancellationError would read as a failure.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let removed = try await sweep()
                    if removed > 0 { logger.info("expired credentials deleted", metadata: ["count": "\(removed)"]) }
                } catch {
                    logger.warning("credential sweep failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
