import FluentKit
import Foundation
import KefuCore
import SQLKit

/// What a request with an `Idempotency-Key` made, so the same key again answers the same thing.
public struct IdempotentRequest: Sendable, Equatable {
    public var requestHash: String
    public var resourceID: UUID
}

/// The bound workspace's idempotency keys, per scope (e.g. `tickets.create`).
public protocol IdempotencyRepository: Sendable {
    func find(scope: String, key: String) async throws -> IdempotentRequest?
    /// Remembers the key inside the transaction that made the resource; a concurrent twin fails its unique key and is
    /// answered from the winner's row.
    func remember(scope: String, key: String, requestHash: String, resourceID: UUID, at: Date) async throws
}

struct SQLIdempotencyRepository: IdempotencyRepository {
    let scope: WorkspaceScope

    private var sql: any SQLDatabase { get throws { try scope.sql } }

    func find(scope name: String, key: String) async throws -> IdempotentRequest? {
        struct Row: Decodable {
            var request_hash: String
            var resource_id: UUID
        }
        let row = try await sql.raw(
            """
            SELECT request_hash, resource_id FROM idempotency_keys WHERE workspace_id = \(bind: scope.workspaceID.uuid) \
            AND scope = \(bind: name) AND key = \(bind: key)
            """
        ).first(decoding: Row.self)
        return row.map { IdempotentRequest(requestHash: $0.request_hash, resourceID: $0.resource_id) }
    }

    func remember(scope name: String, key: String, requestHash: String, resourceID: UUID, at: Date) async throws {
        do {
            try await insert(scope: name, key: key, requestHash: requestHash, resourceID: resourceID, at: at)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw DomainError.conflict(.duplicateRequest)
        }
    }

    private func insert(scope name: String, key: String, requestHash: String, resourceID: UUID, at: Date) async throws {
        try await sql.raw(
            """
            INSERT INTO idempotency_keys (id, workspace_id, scope, key, request_hash, resource_id, created_at) VALUES \
            (\(bind: UUID()), \(bind: scope.workspaceID.uuid), \(bind: name), \(bind: key), \(bind: requestHash), \
            \(bind: resourceID), \(bind: at))
            """
        ).run()
    }
}
