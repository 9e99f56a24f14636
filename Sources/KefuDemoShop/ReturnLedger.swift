import Foundation
import Synchronization

/// Returns filed during this run (the demo keeps them in memory).
final class ReturnLedger: Sendable {
    struct Entry: Encodable, Sendable {
        var id: String
        var order: String
        var reason: String
        var status: String
    }

    private let entries = Mutex<[Entry]>([])

    func file(order: String, reason: String) -> Entry {
        entries.withLock { entries in
            let entry = Entry(id: "R\(1000 + entries.count + 1)", order: order, reason: reason, status: "requested")
            entries.append(entry)
            return entry
        }
    }
}
