import Foundation
import Synchronization

/// Frames all sockets from one client address may send per second, shared by those sockets (a flood spread over many
/// connections is caught too). Buckets idle for a minute are dropped.
final class AddressFrameLimiter: Sendable {
    private struct Bucket {
        var limiter: FrameRateLimiter
        var lastUsed: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let perSecond: Double
    private let burst: Double
    private let sweepEvery = 10_000
    private let admitted = Atomic<Int>(0)

    /// `perSecond` 0 admits everything.
    init(perSecond: Int) {
        self.perSecond = Double(perSecond)
        self.burst = Double(perSecond) * 2
    }

    func admit(_ address: String) -> Bool {
        guard perSecond > 0 else { return true }
        let now = ContinuousClock.now
        let count = admitted.wrappingAdd(1, ordering: .relaxed).newValue
        return buckets.withLock { buckets in
            if count % sweepEvery == 0 { buckets = buckets.filter { now - $0.value.lastUsed < .seconds(60) } }
            var bucket = buckets[address] ?? Bucket(limiter: FrameRateLimiter(perSecond: perSecond, burst: burst), lastUsed: now)
            let allowed = bucket.limiter.admit()
            bucket.lastUsed = now
            buckets[address] = bucket
            return allowed
        }
    }
}
