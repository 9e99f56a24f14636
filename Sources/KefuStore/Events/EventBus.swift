import KefuCore
import Synchronization

/// Carries domain events to whoever subscribed. This in-process bus serves one instance; the PostgreSQL bus of
/// the live-chat work will carry the same events to every instance over LISTEN/NOTIFY. Handlers must be quick and
/// must not block: they run on the publisher's task.
public protocol EventBus: Sendable {
    func publish(_ event: DomainEvent)
    func subscribe(_ handler: @escaping @Sendable (DomainEvent) -> Void)
}

/// Delivers each event to every subscriber of this process, in subscription order, before `publish` returns.
public final class LocalEventBus: EventBus {
    private let handlers = Mutex<[@Sendable (DomainEvent) -> Void]>([])

    public init() {}

    public func publish(_ event: DomainEvent) {
        for handler in handlers.withLock({ $0 }) { handler(event) }
    }

    public func subscribe(_ handler: @escaping @Sendable (DomainEvent) -> Void) {
        handlers.withLock { $0.append(handler) }
    }
}
