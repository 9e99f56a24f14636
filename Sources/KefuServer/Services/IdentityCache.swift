import Foundation
import Synchronization

/// Remembers resolved credentials for a few seconds so that an authenticated request does not cost several
/// database round trips. Every change to credentials, memberships or roles made through this instance clears it;
/// changes made through another instance are seen at most `ttl` later.
final class IdentityCache: Sendable {
    private struct Entry {
        let value: any Sendable
        let expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    let ttl: Duration
    let capacity: Int

    init(ttl: Duration, capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    var isEnabled: Bool { ttl > .zero }

    func value<T: Sendable>(_ key: String, as type: T.Type) -> T? {
        guard isEnabled else { return nil }
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > now else {
                entries[key] = nil
                return nil
            }
            return entry.value as? T
        }
    }

    func store(_ key: String, _ value: some Sendable) {
        guard isEnabled else { return }
        let expires = ContinuousClock.now.advanced(by: ttl)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(value: value, expires: expires)
        }
    }

    func removeAll() {
        entries.withLock { $0.removeAll(keepingCapacity: true) }
    }
}
