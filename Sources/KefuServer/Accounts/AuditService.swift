import Foundation
import KefuCore
import KefuStore

/// Reading the workspace's audit log.
public struct AuditService: Sendable {
    let store: Store

    public init(store: Store) { self.store = store }

    public func events(_ actor: Identity, before: AuditCursor?, limit: Int) async throws -> [AuditEvent] {
        try await store.scoped(to: actor.workspace.id).audit.events(before: before, limit: limit)
    }
}
