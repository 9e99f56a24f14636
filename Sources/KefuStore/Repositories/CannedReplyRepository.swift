import FluentKit
import Foundation
import KefuCore
import SQLKit

/// The bound workspace's canned replies: its own (no owner) and each agent's.
public protocol CannedReplyRepository: Sendable {
    /// The workspace's replies and `owner`'s own, by shortcut; `prefix` narrows to shortcuts starting with it.
    func visible(to owner: UserID, prefix: String?) async throws -> [CannedReply]
    func reply(_ id: CannedReplyID) async throws -> CannedReply
    func create(owner: UserID?, shortcut: String, body: String, at: Date) async throws -> CannedReply
    func update(_ id: CannedReplyID, shortcut: String?, body: String?, at: Date) async throws -> CannedReply
    func delete(_ id: CannedReplyID) async throws
}

struct CannedReplyRow: Decodable {
    var id: UUID
    var workspace_id: UUID
    var owner_id: UUID?
    var shortcut: String
    var body: String
    var created_at: Date
    var updated_at: Date

    func record() -> CannedReply {
        CannedReply(
            id: CannedReplyID(id), workspaceID: WorkspaceID(workspace_id), ownerID: owner_id.map { UserID($0) },
            shortcut: shortcut, body: body, createdAt: created_at, updatedAt: updated_at)
    }
}

struct SQLCannedReplyRepository: CannedReplyRepository {
    let scope: WorkspaceScope

    private var sql: any SQLDatabase { get throws { try scope.sql } }

    func visible(to owner: UserID, prefix: String?) async throws -> [CannedReply] {
        let rows = try await sql.raw(
            """
            SELECT * FROM canned_replies WHERE workspace_id = \(bind: scope.workspaceID.uuid) \
            AND (owner_id IS NULL OR owner_id = \(bind: owner.uuid)) ORDER BY shortcut, owner_key
            """
        ).all(decoding: CannedReplyRow.self)
        let wanted = prefix?.lowercased() ?? ""
        return rows.map { $0.record() }.filter { wanted.isEmpty || $0.shortcut.hasPrefix(wanted) }
    }

    func reply(_ id: CannedReplyID) async throws -> CannedReply {
        guard
            let row = try await sql.raw(
                "SELECT * FROM canned_replies WHERE workspace_id = \(bind: scope.workspaceID.uuid) AND id = \(bind: id.uuid)"
            ).first(decoding: CannedReplyRow.self)
        else { throw DomainError.notFound(.cannedReply) }
        return row.record()
    }

    func create(owner: UserID?, shortcut: String, body: String, at: Date) async throws -> CannedReply {
        let id = UUID()
        try await runUnique(conflict: .shortcutTaken) {
            try await sql.raw(
                """
                INSERT INTO canned_replies (id, workspace_id, owner_id, owner_key, shortcut, body, created_at, updated_at) \
                VALUES (\(bind: id), \(bind: scope.workspaceID.uuid), \(bind: owner?.uuid), \
                \(bind: owner?.description ?? ""), \(bind: shortcut), \(bind: body), \(bind: at), \(bind: at))
                """
            ).run()
        }
        return try await reply(CannedReplyID(id))
    }

    func update(_ id: CannedReplyID, shortcut: String?, body: String?, at: Date) async throws -> CannedReply {
        let current = try await reply(id)
        try await runUnique(conflict: .shortcutTaken) {
            try await sql.raw(
                """
                UPDATE canned_replies SET shortcut = \(bind: shortcut ?? current.shortcut), \
                body = \(bind: body ?? current.body), updated_at = \(bind: at) \
                WHERE workspace_id = \(bind: scope.workspaceID.uuid) AND id = \(bind: id.uuid)
                """
            ).run()
        }
        return try await reply(id)
    }

    func delete(_ id: CannedReplyID) async throws {
        _ = try await reply(id)
        try await sql.raw(
            "DELETE FROM canned_replies WHERE workspace_id = \(bind: scope.workspaceID.uuid) AND id = \(bind: id.uuid)"
        ).run()
    }
}

/// Runs a write, turning a unique-constraint failure into the given conflict.
func runUnique(conflict: DomainError.Conflict, _ write: () async throws -> Void) async throws {
    do {
        try await write()
    } catch let error as any DatabaseError where error.isConstraintFailure {
        throw DomainError.conflict(conflict)
    }
}
