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

    private let limitsLoopback: Bool

    /// `perSecond` 0 admits everything; loopback clients are admitted unless `limitsLoopback`.
    convenience init(perSecond: Int, limitsLoopback: Bool) {
        self.init(perSecond: Double(perSecond), burst: Double(perSecond) * 2, limitsLoopback: limitsLoopback)
    }

    /// A slower rate with a burst of its own (public forms: a few a minute).
    init(perSecond: Double, burst: Double, limitsLoopback: Bool) {
        self.perSecond = perSecond
        self.burst = burst
        self.limitsLoopback = limitsLoopback
    }

    static func isLoopback(_ address: String) -> Bool {
        address == "::1" || address.hasPrefix("127.") || address.hasPrefix("::ffff:127.")
    }

    func admit(_ address: String) -> Bool { charge([address], cost: 1, address: address) == nil }

    /// Charges `cost` to every key at once, or to none: nil when admitted, else the seconds until it would be.
    /// `address` is the client's (loopback is exempt unless `limitsLoopback`); keys may name other things (a contact).
    func charge(_ keys: [String], cost: Double, address: String) -> Int? {
        guard perSecond > 0, limitsLoopback || !Self.isLoopback(address) else { return nil }
        let now = ContinuousClock.now
        let count = admitted.wrappingAdd(1, ordering: .relaxed).newValue
        return buckets.withLock { buckets in
            if count % sweepEvery == 0 { buckets = buckets.filter { now - $0.value.lastUsed < .seconds(idleSeconds) } }
            var found = keys.map {
                buckets[$0] ?? Bucket(limiter: FrameRateLimiter(perSecond: perSecond, burst: burst), lastUsed: now)
            }
            let wait = found.indices.map { found[$0].limiter.wait(for: cost) }.max() ?? 0
            for (index, key) in keys.enumerated() {
                if wait == 0 { _ = found[index].limiter.admit(cost: cost) }
                found[index].lastUsed = now
                buckets[key] = found[index]
            }
            return wait == 0 ? nil : max(1, Int(wait.rounded(.up)))
        }
    }

    /// A bucket unused this long is full again, so it is dropped.
    private var idleSeconds: Int64 { Int64(min(86_400, max(60, (burst / max(perSecond, 1e-9)).rounded(.up)))) }
}
