import Foundation
import KefuCore
import SQLKit

/// Agents' chosen availability (`online`, `away`); whether they are connected is the chat hub's to know.
public protocol PresenceRepository: Sendable {
    func statuses() async throws -> [UserID: AgentStatus]
    func set(_ user: UserID, _ status: AgentStatus, at: Date) async throws
}

struct SQLPresenceRepository: PresenceRepository {
    let scope: WorkspaceScope

    private var sql: any SQLDatabase { get throws { try scope.sql } }

    func statuses() async throws -> [UserID: AgentStatus] {
        struct Row: Decodable {
            var user_id: UUID
            var status: String
        }
        let rows = try await sql.raw(
            "SELECT user_id, status FROM agent_presence WHERE workspace_id = \(bind: scope.workspaceID.uuid)"
        ).all(decoding: Row.self)
        var out: [UserID: AgentStatus] = [:]
        for row in rows {
            out[UserID(row.user_id)] = try decodeStored(
                AgentStatus.self, row.status, table: "agent_presence", column: "status")
        }
        return out
    }

    func set(_ user: UserID, _ status: AgentStatus, at: Date) async throws {
        try await sql.raw(
            """
            INSERT INTO agent_presence (id, workspace_id, user_id, status, updated_at) VALUES (\(bind: UUID()), \
            \(bind: scope.workspaceID.uuid), \(bind: user.uuid), \(bind: status.rawValue), \(bind: at)) \
            ON CONFLICT (workspace_id, user_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
            """
        ).run()
    }
}
