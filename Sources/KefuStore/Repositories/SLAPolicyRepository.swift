import Foundation
import KefuCore
import SQLKit

/// The bound workspace's SLA policies, oldest first.
public protocol SLAPolicyRepository: Sendable {
    func all() async throws -> [SLAPolicy]
    func policy(_ id: SLAPolicyID) async throws -> SLAPolicy
    func insert(_ policy: SLAPolicy) async throws
    func save(_ policy: SLAPolicy) async throws
    func delete(_ id: SLAPolicyID) async throws
}

struct SQLSLAPolicyRepository: SLAPolicyRepository {
    let scope: WorkspaceScope

    private var sql: any SQLDatabase { get throws { try scope.sql } }
    private var workspace: UUID { scope.workspaceID.uuid }

    private struct Row: Decodable {
        var id: UUID
        var name: String
        var team_id: UUID?
        var business_hours: Bool
        var warn_before_minutes: Int
        var targets: String
        var enabled: Bool
        var created_at: Date
        var updated_at: Date
    }

    private func record(_ row: Row) throws -> SLAPolicy {
        SLAPolicy(
            id: SLAPolicyID(row.id), workspaceID: scope.workspaceID, name: row.name, teamID: row.team_id.map(TeamID.init),
            businessHours: row.business_hours, warnBeforeMinutes: row.warn_before_minutes,
            targets: try StoredJSON.decode([SLAPolicy.Target].self, row.targets, table: "sla_policies", column: "targets"),
            enabled: row.enabled, createdAt: row.created_at, updatedAt: row.updated_at)
    }

    func all() async throws -> [SLAPolicy] {
        try await sql.raw("SELECT * FROM sla_policies WHERE workspace_id = \(bind: workspace) ORDER BY created_at, id")
            .all(decoding: Row.self).map(record)
    }

    func policy(_ id: SLAPolicyID) async throws -> SLAPolicy {
        try record(try await scope.row("sla_policies", id: id.uuid, as: Row.self, missing: .slaPolicy))
    }

    func insert(_ policy: SLAPolicy) async throws {
        try await sql.raw(
            """
            INSERT INTO sla_policies (id, workspace_id, name, team_id, business_hours, warn_before_minutes, targets, enabled, \
            created_at, updated_at) VALUES (\(bind: policy.id.uuid), \(bind: workspace), \(bind: policy.name), \
            \(bind: policy.teamID?.uuid), \(bind: policy.businessHours), \(bind: policy.warnBeforeMinutes), \
            \(bind: StoredJSON.encode(policy.targets)), \(bind: policy.enabled), \(bind: policy.createdAt), \
            \(bind: policy.updatedAt))
            """
        ).run()
    }

    func save(_ policy: SLAPolicy) async throws {
        try await sql.raw(
            """
            UPDATE sla_policies SET name = \(bind: policy.name), team_id = \(bind: policy.teamID?.uuid), \
            business_hours = \(bind: policy.businessHours), warn_before_minutes = \(bind: policy.warnBeforeMinutes), \
            targets = \(bind: StoredJSON.encode(policy.targets)), enabled = \(bind: policy.enabled), \
            updated_at = \(bind: policy.updatedAt) WHERE id = \(bind: policy.id.uuid) AND workspace_id = \(bind: workspace)
            """
        ).run()
    }

    func delete(_ id: SLAPolicyID) async throws {
        _ = try await policy(id)
        try await sql.raw("DELETE FROM sla_policies WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: workspace)").run()
    }
}
