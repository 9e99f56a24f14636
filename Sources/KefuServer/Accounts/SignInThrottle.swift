import Foundation
import KefuCore
import KefuStore

/// The brute-force rule: more than `maxFailures` failed sign-ins for one account or one IP within `window` lock
/// that account or IP out for `lockout`. Every attempt is charged to its keys in the database before its password is
/// checked (one atomic upsert per key) and refunded only if it succeeds, so parallel attempts, on one instance or
/// several, cannot slip past the limit while earlier ones are still being checked.
struct SignInThrottle: Sendable {
    var maxFailures = 10
    var window: TimeInterval = 5 * 60
    var lockout: TimeInterval = 15 * 60

    static func keys(email: String, ip: String?) -> [String] {
        ["email:" + email] + (ip.map { ["ip:" + $0] } ?? [])
    }

    /// Charges one attempt to every key; throws `rateLimited` when a key is locked or goes over the limit with it.
    func admit(_ keys: [String], counters: any SignInCounters, now: Date) async throws {
        var lockedUntil: Date?
        for key in keys {
            let (attempts, lock) = try await counters.charge(key, now: now, window: window)
            if let lock {
                lockedUntil = max(lockedUntil ?? lock, lock)
            } else if attempts > maxFailures + 1 {
                // The attempts before this one were all failures (or still being checked): more than the limit.
                let until = now.addingTimeInterval(lockout)
                try await counters.lock(key, until: until)
                lockedUntil = max(lockedUntil ?? until, until)
            }
        }
        if let lockedUntil {
            throw DomainError.rateLimited(retryAfterSeconds: max(1, Int(lockedUntil.timeIntervalSince(now).rounded(.up))))
        }
    }

    /// Takes back the charges of an attempt that succeeded.
    func succeeded(_ keys: [String], counters: any SignInCounters) async throws {
        for key in keys { try await counters.refund(key) }
    }
}
