import Foundation
import Synchronization

/// Remembers values for a few seconds (resolved identities, a user's workspaces) so that an authenticated request
/// does not cost several database round trips. Every access change made through this instance clears it; changes
/// made through another instance are seen at most `ttl` later.
final class TTLCache<Key: Hashable & Sendable>: Sendable {
    private struct Entry {
        let value: any Sendable
        let expires: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        /// Bumped by every clear, so a value read from the database before a clear is never stored after it.
        var epoch = 0
    }

    private let state = Mutex(State())
    let ttl: Duration
    let capacity: Int

    init(ttl: Duration, capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    var isEnabled: Bool { ttl > .zero }

    /// Read this before loading a value, and pass it to `store`.
    var epoch: Int { state.withLock { $0.epoch } }

    func value<T: Sendable>(_ key: Key, as type: T.Type) -> T? {
        guard isEnabled else { return nil }
        let now = ContinuousClock.now
        return state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            guard entry.expires > now else {
                state.entries[key] = nil
                return nil
            }
            return entry.value as? T
        }
    }

    /// Stores `value` unless the cache was cleared since `epoch` was read.
    func store(_ key: Key, _ value: some Sendable, loadedAt epoch: Int) {
        guard isEnabled else { return }
        let expires = ContinuousClock.now.advanced(by: ttl)
        state.withLock { state in
            guard state.epoch == epoch else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = Entry(value: value, expires: expires)
        }
    }

    func removeAll() {
        state.withLock { state in
            state.entries.removeAll(keepingCapacity: true)
            state.epoch += 1
        }
    }
}
