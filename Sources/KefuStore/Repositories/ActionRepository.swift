import FluentKit
import Foundation
import KefuCore
import SQLKit

/// Per workspace: the secret its outgoing calls are signed with (sealed) and the hosts they may reach although
/// private or loopback.
public struct ActionSettings: Sendable, Equatable {
    public var sealedSigningSecret: String
    public var allowlist: [String]
    /// Where SLA warnings and breaches are posted; nil for nowhere.
    public var slaWebhookURL: String?

    public init(sealedSigningSecret: String, allowlist: [String], slaWebhookURL: String? = nil) {
        self.sealedSigningSecret = sealedSigningSecret
        self.allowlist = allowlist
        self.slaWebhookURL = slaWebhookURL
    }
}

/// The bound workspace's business actions, their calls and settings.
public protocol ActionRepository: Sendable {
    func all() async throws -> [BusinessAction]
    func action(_ id: BusinessActionID) async throws -> BusinessAction
    func action(named: String) async throws -> BusinessAction?
    func insert(_ action: BusinessAction) async throws
    func save(_ action: BusinessAction) async throws
    func delete(_ id: BusinessActionID) async throws
    func log(_ call: ActionCall) async throws
    func calls(_ action: BusinessActionID, limit: Int) async throws -> [ActionCall]
    func settings() async throws -> ActionSettings?
    func setSettings(_ settings: ActionSettings, at: Date) async throws
}

struct SQLActionRepository: ActionRepository {
    let scope: WorkspaceScope

    private var sql: any SQLDatabase { get throws { try scope.sql } }
    private var workspace: UUID { scope.workspaceID.uuid }

    private struct Row: Decodable {
        var id: UUID
        var name: String
        var method: String
        var url: String
        var headers: String
        var inputs: String
        var mapping: String
        var reply: String
        var timeout_ms: Int
        var enabled: Bool
        var created_at: Date
        var updated_at: Date
    }

    private func record(_ row: Row) throws -> BusinessAction {
        let table = "actions"
        return BusinessAction(
            id: BusinessActionID(row.id), workspaceID: scope.workspaceID, name: row.name,
            method: try decodeStored(BusinessAction.Method.self, row.method, table: table, column: "method"), url: row.url,
            headers: try StoredJSON.decode([BusinessAction.Header].self, row.headers, table: table, column: "headers"),
            inputs: try StoredJSON.decode([BusinessAction.Input].self, row.inputs, table: table, column: "inputs"),
            mapping: try StoredJSON.decode([String: String].self, row.mapping, table: table, column: "mapping"),
            reply: try StoredJSON.decode([String: String].self, row.reply, table: table, column: "reply"),
            timeoutMilliseconds: row.timeout_ms, enabled: row.enabled, createdAt: row.created_at, updatedAt: row.updated_at)
    }

    func all() async throws -> [BusinessAction] {
        try await sql.raw("SELECT * FROM actions WHERE workspace_id = \(bind: workspace) ORDER BY name")
            .all(decoding: Row.self).map(record)
    }

    func action(_ id: BusinessActionID) async throws -> BusinessAction {
        try record(try await scope.row("actions", id: id.uuid, as: Row.self, missing: .action))
    }

    func action(named name: String) async throws -> BusinessAction? {
        try await sql.raw("SELECT * FROM actions WHERE workspace_id = \(bind: workspace) AND name = \(bind: name)")
            .first(decoding: Row.self).map(record)
    }

    func insert(_ action: BusinessAction) async throws {
        do {
            try await sql.raw(
                """
                INSERT INTO actions (id, workspace_id, name, method, url, headers, inputs, mapping, reply, timeout_ms, \
                enabled, created_at, updated_at) VALUES (\(bind: action.id.uuid), \(bind: workspace), \(bind: action.name), \
                \(bind: action.method.rawValue), \(bind: action.url), \(bind: StoredJSON.encode(action.headers)), \
                \(bind: StoredJSON.encode(action.inputs)), \(bind: StoredJSON.encode(action.mapping)), \
                \(bind: StoredJSON.encode(action.reply)), \(bind: action.timeoutMilliseconds), \(bind: action.enabled), \
                \(bind: action.createdAt), \(bind: action.updatedAt))
                """
            ).run()
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw DomainError.conflict(.actionNameTaken)
        }
    }

    func save(_ action: BusinessAction) async throws {
        _ = try await self.action(action.id)
        do {
            try await sql.raw(
                """
                UPDATE actions SET name = \(bind: action.name), method = \(bind: action.method.rawValue), \
                url = \(bind: action.url), headers = \(bind: StoredJSON.encode(action.headers)), \
                inputs = \(bind: StoredJSON.encode(action.inputs)), mapping = \(bind: StoredJSON.encode(action.mapping)), \
                reply = \(bind: StoredJSON.encode(action.reply)), timeout_ms = \(bind: action.timeoutMilliseconds), \
                enabled = \(bind: action.enabled), updated_at = \(bind: action.updatedAt) \
                WHERE id = \(bind: action.id.uuid) AND workspace_id = \(bind: workspace)
                """
            ).run()
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw DomainError.conflict(.actionNameTaken)
        }
    }

    func delete(_ id: BusinessActionID) async throws {
        _ = try await action(id)
        try await sql.raw("DELETE FROM actions WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: workspace)").run()
    }

    func log(_ call: ActionCall) async throws {
        try await sql.raw(
            """
            INSERT INTO action_calls (id, workspace_id, action_id, conversation_id, outcome, status_code, duration_ms, \
            error, target, created_at) SELECT \(bind: call.id), \(bind: workspace), \(bind: call.actionID.uuid), \
            \(bind: call.conversationID?.uuid), \(bind: call.outcome.rawValue), \(bind: call.statusCode), \
            \(bind: call.durationMilliseconds), \(bind: call.error), \(bind: call.target), \(bind: call.createdAt) \
            WHERE EXISTS (SELECT 1 FROM actions WHERE id = \(bind: call.actionID.uuid) AND workspace_id = \(bind: workspace))
            """
        ).run()
    }

    func calls(_ action: BusinessActionID, limit: Int) async throws -> [ActionCall] {
        struct CallRow: Decodable {
            var id: UUID
            var action_id: UUID
            var conversation_id: UUID?
            var outcome: String
            var status_code: Int?
            var duration_ms: Int
            var error: String?
            var target: String
            var created_at: Date
        }
        return try await sql.raw(
            """
            SELECT * FROM action_calls WHERE workspace_id = \(bind: workspace) AND action_id = \(bind: action.uuid) \
            ORDER BY created_at DESC, id LIMIT \(literal: limit)
            """
        ).all(decoding: CallRow.self).map { row in
            ActionCall(
                id: row.id, actionID: BusinessActionID(row.action_id),
                conversationID: row.conversation_id.map(ConversationID.init),
                outcome: try decodeStored(ActionOutcome.self, row.outcome, table: "action_calls", column: "outcome"),
                statusCode: row.status_code, durationMilliseconds: row.duration_ms, error: row.error, target: row.target,
                createdAt: row.created_at)
        }
    }

    func settings() async throws -> ActionSettings? {
        struct SettingsRow: Decodable {
            var signing_secret: String
            var allowlist: String
            var sla_webhook_url: String?
        }
        guard
            let row = try await sql.raw(
                "SELECT signing_secret, allowlist, sla_webhook_url FROM action_settings WHERE workspace_id = \(bind: workspace)"
            ).first(decoding: SettingsRow.self)
        else { return nil }
        return ActionSettings(
            sealedSigningSecret: row.signing_secret,
            allowlist: try StoredJSON.decode([String].self, row.allowlist, table: "action_settings", column: "allowlist"),
            slaWebhookURL: row.sla_webhook_url)
    }

    func setSettings(_ settings: ActionSettings, at: Date) async throws {
        try await sql.raw(
            """
            INSERT INTO action_settings (id, workspace_id, signing_secret, allowlist, sla_webhook_url, updated_at) VALUES \
            (\(bind: UUID()), \(bind: workspace), \(bind: settings.sealedSigningSecret), \
            \(bind: StoredJSON.encode(settings.allowlist)), \(bind: settings.slaWebhookURL), \(bind: at)) \
            ON CONFLICT (workspace_id) DO UPDATE SET signing_secret = excluded.signing_secret, \
            allowlist = excluded.allowlist, sla_webhook_url = excluded.sla_webhook_url, updated_at = excluded.updated_at
            """
        ).run()
    }
}
