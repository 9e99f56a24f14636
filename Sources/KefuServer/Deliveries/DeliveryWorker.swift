import Foundation
import KefuCore
import KefuStore
import Logging
import ServiceLifecycle

/// Sends queued deliveries, `concurrency` at a time, under ServiceLifecycle. A delivery is leased while it is sent;
/// when a process dies mid-send the lease runs out and any worker (here or on another instance) sends it again with
/// the same id, which the receiver uses to drop the duplicate. Failures wait twice as long each time (from
/// `retryBase`, at most `retryCap`) until the delivery's attempts run out; then it is dead.
struct DeliveryWorker: Service {
    let store: Store
    let senders: [Delivery.Channel: any DeliverySender]
    let clock: WallClock
    let logger: Logger
    let wakeUp: JobWakeUp
    var concurrency = 4
    var pollInterval: Duration = .seconds(1)
    var lease: TimeInterval = 120
    var retryBase: TimeInterval = 5
    var retryCap: TimeInterval = 1800
    /// The server has no e-mail server of its own: only e-mails of workspaces that set one are taken (the others wait).
    var emailOnlyWhereSet = false
    let id = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"

    init(store: Store, senders: [any DeliverySender], clock: WallClock, logger: Logger, wakeUp: JobWakeUp) {
        self.store = store
        self.senders = Dictionary(senders.map { ($0.channel, $0) }, uniquingKeysWith: { a, _ in a })
        self.clock = clock
        self.logger = logger
        self.wakeUp = wakeUp
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<max(1, concurrency) {
                    group.addTask {
                        while !Task.isCancelled && !Task.isShuttingDownGracefully {
                            let worked: Bool
                            do { worked = try await runOne() } catch {
                                logger.warning("delivery worker: \(error)")
                                worked = false
                            }
                            if !worked { await wakeUp.wait(upTo: pollInterval) }
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            Task { await wakeUp.signal() }
        }
    }

    /// Claims and sends one due delivery; false when none was due.
    @discardableResult
    func runOne() async throws -> Bool {
        let channels = Array(senders.keys)
        let now = clock.now()
        let whereSet = emailOnlyWhereSet
        guard try await store.unscoped.deliveryQueue.due(channels: channels, emailOnlyWhereSet: whereSet, now: now) else {
            return false
        }
        let (worker, leaseUntil) = (id, now.addingTimeInterval(lease))
        // Writes go through the store's write gate (on SQLite an ungated write waits on the busy timeout).
        guard
            let delivery = try await store.unscoped.transaction({ tx in
                try await tx.deliveryQueue.claim(
                    channels: channels, emailOnlyWhereSet: whereSet, worker: worker, now: now, leaseUntil: leaseUntil)
            })
        else { return false }
        let queue = Gated(store: store, worker: id)
        // A worker that died mid-send used up an attempt; a delivery that keeps killing its workers stops here.
        if delivery.attempts > delivery.maxAttempts {
            try await queue.failed(
                delivery.id, error: delivery.lastError ?? "the worker sending it stopped", retryAt: nil, at: clock.now())
            return true
        }
        let outcome: DeliveryOutcome =
            if let sender = senders[delivery.channel] {
                await sender.send(delivery)
            } else {
                .retry("no sender for \(delivery.channel.rawValue) on this instance")
            }
        let metadata: Logger.Metadata = [
            "delivery": "\(delivery.id)", "channel": "\(delivery.channel.rawValue)", "event": "\(delivery.event)",
            "attempt": "\(delivery.attempts)",
        ]
        switch outcome {
        case .delivered:
            try await queue.delivered(delivery.id, at: clock.now())
            logger.info("delivered", metadata: metadata)
        case .retry(let error):
            let retryAt =
                delivery.attempts >= delivery.maxAttempts
                ? nil : clock.now().addingTimeInterval(backoff(afterAttempt: delivery.attempts))
            try await queue.failed(delivery.id, error: error, retryAt: retryAt, at: clock.now())
            logger.warning(
                "delivery failed", metadata: metadata.merging(["error": "\(error)", "retry": "\(retryAt != nil)"]) { $1 })
        case .dead(let error):
            try await queue.failed(delivery.id, error: error, retryAt: nil, at: clock.now())
            logger.warning("delivery refused", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
        return true
    }

    /// The queue's outcome writes, each in a gated transaction.
    struct Gated {
        let store: Store
        let worker: String

        func delivered(_ id: DeliveryID, at now: Date) async throws {
            try await store.unscoped.transaction { [worker] tx in
                try await tx.deliveryQueue.delivered(id, worker: worker, at: now)
            }
        }

        func failed(_ id: DeliveryID, error: String, retryAt: Date?, at now: Date) async throws {
            try await store.unscoped.transaction { [worker] tx in
                try await tx.deliveryQueue.failed(id, worker: worker, error: error, retryAt: retryAt, at: now)
            }
        }
    }

    func backoff(afterAttempt attempt: Int) -> TimeInterval {
        min(retryCap, retryBase * pow(2, Double(max(0, attempt - 1))))
    }
}
