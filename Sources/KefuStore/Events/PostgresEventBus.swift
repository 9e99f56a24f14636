import FluentPostgresDriver
import Foundation
import KefuCore
import Logging
import PostgresNIO
import SQLKit
import ServiceLifecycle
import Synchronization

/// The event bus of several instances on one PostgreSQL. `publish` delivers to this instance's subscribers at once,
/// as the in-process bus does, and queues the event for the others: one sender sends what is queued, in order, as
/// `NOTIFY kefu_events` batches of small payloads; one listener, on a connection of its own, hears the other
/// instances' batches, reads what they left out from the database and delivers them here. When the listening
/// connection drops it reconnects with backoff and then publishes `resync` here: sockets read what they may have
/// missed by sequence number, since the rows are the truth.
public final class PostgresEventBus: EventBus, Service {
    public static let channel = "kefu_events"
    /// NOTIFY payloads must stay under 8,000 bytes.
    static let maxPayload = 7000

    let local = LocalEventBus()
    let instance = UUID()
    let store: Store
    let configuration: PostgresConnection.Configuration
    let logger: Logger
    /// Events waiting for the sender, and its wake-up call.
    private let pending = Mutex<[WireEvent]>([])
    private let wake: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation
    private let listening = Mutex(false)

    public init(store: Store, url: String, logger: Logger) throws {
        self.store = store
        self.configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        self.logger = logger
        (wake, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// True while the listener is connected and listening (for readiness and tests).
    public var isListening: Bool { listening.withLock { $0 } }

    public func publish(_ event: DomainEvent) {
        local.publish(event)
        guard let wire = WireEvent(event) else { return }
        pending.withLock { $0.append(wire) }
        wakeUp.yield()
    }

    public func subscribe(_ handler: @escaping @Sendable (DomainEvent) -> Void) {
        local.subscribe(handler)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.send() }
                group.addTask { await self.listen() }
                await group.waitForAll()
            }
        }
        wakeUp.finish()
    }

    /// Sends queued events in order; everything waiting at one moment goes in as few NOTIFYs as fit, so a burst
    /// costs a few round trips, not one per event.
    private func send() async {
        for await _ in wake {
            let events = pending.withLock { queued in
                defer { queued.removeAll(keepingCapacity: true) }
                return queued
            }
            for batch in Self.batches(events) { await notify(batch) }
        }
    }

    static func batches(_ events: [WireEvent]) -> [[WireEvent]] {
        var batches: [[WireEvent]] = []
        var current: [WireEvent] = []
        var size = 0
        let encoder = JSONEncoder()
        for event in events {
            let eventSize = ((try? encoder.encode(event))?.count ?? 0) + 1
            if !current.isEmpty && size + eventSize > maxPayload {
                batches.append(current)
                current = []
                size = 0
            }
            current.append(event)
            size += eventSize
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    private func notify(_ events: [WireEvent]) async {
        guard let data = try? JSONEncoder().encode(WireBatch(instance: instance, events: events)) else { return }
        let payload = String(decoding: data, as: UTF8.self)
        var delay = Duration.milliseconds(100)
        // A database that is briefly away (restarting) gets the batch once it is back; other instances' sockets read
        // any gap by sequence meanwhile.
        for _ in 0..<8 {
            do {
                guard let sql = store.database as? any SQLDatabase else { return }
                try await sql.raw("SELECT pg_notify(\(bind: Self.channel), \(bind: payload))").run()
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("event notify failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
        logger.error("events not sent to other instances", metadata: ["count": "\(events.count)"])
    }

    /// Listens until cancelled, reconnecting with backoff; after every reconnect this instance resyncs.
    private func listen() async {
        var delay = Duration.milliseconds(100)
        var connectedBefore = false
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: configuration, id: 1, logger: logger)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: Self.channel) { notifications in
                    listening.withLock { $0 = true }
                    delay = .milliseconds(100)
                    if connectedBefore { local.publish(.resync) }
                    connectedBefore = true
                    for try await notification in notifications { await receive(notification.payload) }
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning("event listener lost its connection; reconnecting", metadata: ["error": "\(error)"])
            }
            listening.withLock { $0 = false }
            if Task.isCancelled { break }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
        listening.withLock { $0 = false }
    }

    private func receive(_ payload: String) async {
        guard let batch = try? JSONDecoder().decode(WireBatch.self, from: Data(payload.utf8)), batch.instance != instance
        else { return }
        for wire in batch.events {
            do {
                if let event = try await wire.resolve(store) { local.publish(event) }
            } catch {
                logger.warning("event from another instance not read", metadata: ["error": "\(error)"])
            }
        }
    }
}
