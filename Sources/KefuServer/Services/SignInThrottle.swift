import Foundation

/// The brute-force rule: more than `maxFailures` failed sign-ins for one account or one IP within `window` locks
/// that account or IP out for `lockout`, counted from the last failure that crossed the line.
struct SignInThrottle: Sendable {
    var maxFailures = 10
    var window: TimeInterval = 5 * 60
    var lockout: TimeInterval = 15 * 60

    /// How far back failures matter.
    var horizon: TimeInterval { window + lockout }

    /// The time the lock ends, if `failures` (newest first) lock at `now`.
    func lockedUntil(failures: [Date], now: Date) -> Date? {
        let times = failures.sorted(by: >)
        for (index, end) in times.enumerated() {
            let until = end.addingTimeInterval(lockout)
            guard until > now else { break }
            let inWindow = times[index...].prefix { end.timeIntervalSince($0) <= window }.count
            if inWindow > maxFailures { return until }
        }
        return nil
    }
}
