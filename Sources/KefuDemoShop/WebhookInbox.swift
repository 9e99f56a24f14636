import Foundation
import Synchronization

/// The SLA warnings and breaches Kefu posted to the shop during this run (the last 200, in memory).
public final class WebhookInbox: Sendable {
    private let events = Mutex<[Data]>([])

    func receive(_ body: Data) {
        events.withLock { events in
            events.append(body)
            if events.count > 200 { events.removeFirst(events.count - 200) }
        }
    }

    /// Every event received, oldest first, as posted.
    public var received: [Data] { events.withLock { $0 } }
}
