import Foundation
import Synchronization

/// Wall-clock time, injected so tests can move it.
public struct WallClock: Sendable {
    public let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }
}

/// A clock a test can set: real time plus an offset. Drives business hours (and what depends on them) when the server
/// runs with `testing.clock`; everything else keeps real time.
public final class TestClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)

    public init() {}

    public var wallClock: WallClock { WallClock { [self] in Date().addingTimeInterval(offset.withLock { $0 }) } }

    public func set(_ now: Date) { offset.withLock { $0 = now.timeIntervalSinceNow } }
}
