import FluentKit
import Foundation
import KefuCore
import SQLKit

/// The bound workspace's declared ticket fields, in position order.
public protocol TicketFieldRepository: Sendable {
    func all() async throws -> [TicketField]
    func field(_ id: TicketFieldID) async throws -> TicketField
    func insert(_ field: TicketField) async throws
    func save(_ field: TicketField) async throws
    func delete(_ id: TicketFieldID) async throws
}

struct SQLTicketFieldRepository: TicketFieldRepository {
    let scope: WorkspaceScope

    private var sql: any SQLDatabase { get throws { try scope.sql } }
    private var workspace: UUID { scope.workspaceID.uuid }

    private struct Row: Decodable {
        var id: UUID
        var key: String
        var name: String
        var kind: String
        var options: String
        var position: Int
        var created_at: Date
    }

    private func record(_ row: Row) throws -> TicketField {
        TicketField(
            id: TicketFieldID(row.id), workspaceID: scope.workspaceID, key: row.key, name: row.name,
            kind: try decodeStored(TicketField.Kind.self, row.kind, table: "ticket_fields", column: "kind"),
            options: try StoredJSON.decode([String].self, row.options, table: "ticket_fields", column: "options"),
            position: row.position, createdAt: row.created_at)
    }

    func all() async throws -> [TicketField] {
        try await sql.raw(
            "SELECT * FROM ticket_fields WHERE workspace_id = \(bind: workspace) ORDER BY position, created_at, id"
        ).all(decoding: Row.self).map(record)
    }

    func field(_ id: TicketFieldID) async throws -> TicketField {
        try record(try await scope.row("ticket_fields", id: id.uuid, as: Row.self, missing: .ticketField))
    }

    func insert(_ field: TicketField) async throws {
        do {
            try await sql.raw(
                """
                INSERT INTO ticket_fields (id, workspace_id, key, name, kind, options, position, created_at) VALUES \
                (\(bind: field.id.uuid), \(bind: workspace), \(bind: field.key), \(bind: field.name), \
                \(bind: field.kind.rawValue), \(bind: StoredJSON.encode(field.options)), \(bind: field.position), \
                \(bind: field.createdAt))
                """
            ).run()
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw DomainError.conflict(.fieldKeyTaken)
        }
    }

    func save(_ field: TicketField) async throws {
        _ = try await self.field(field.id)
        try await sql.raw(
            """
            UPDATE ticket_fields SET name = \(bind: field.name), kind = \(bind: field.kind.rawValue), \
            options = \(bind: StoredJSON.encode(field.options)), position = \(bind: field.position) \
            WHERE id = \(bind: field.id.uuid) AND workspace_id = \(bind: workspace)
            """
        ).run()
    }

    func delete(_ id: TicketFieldID) async throws {
        _ = try await field(id)
        try await sql.raw("DELETE FROM ticket_fields WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: workspace)").run()
    }
}
