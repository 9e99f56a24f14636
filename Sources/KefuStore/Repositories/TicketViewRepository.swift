import Foundation
import KefuCore
import SQLKit

/// The bound workspace's saved ticket views: shared ones and each member's own.
public protocol TicketViewRepository: Sendable {
    /// The shared views and `member`'s own, in position order.
    func views(for member: UserID) async throws -> [TicketView]
    func view(_ id: TicketViewID) async throws -> TicketView
    func insert(_ view: TicketView) async throws
    func save(_ view: TicketView) async throws
    func delete(_ id: TicketViewID) async throws
}

struct SQLTicketViewRepository: TicketViewRepository {
    let scope: WorkspaceScope

    private var sql: any SQLDatabase { get throws { try scope.sql } }
    private var workspace: UUID { scope.workspaceID.uuid }

    private struct Row: Decodable {
        var id: UUID
        var owner_id: UUID?
        var name: String
        var filter: String
        var position: Int
        var created_at: Date
    }

    private func record(_ row: Row) throws -> TicketView {
        TicketView(
            id: TicketViewID(row.id), workspaceID: scope.workspaceID, ownerID: row.owner_id.map(UserID.init), name: row.name,
            filter: try StoredJSON.decode(TicketFilter.self, row.filter, table: "ticket_views", column: "filter"),
            position: row.position, createdAt: row.created_at)
    }

    func views(for member: UserID) async throws -> [TicketView] {
        try await sql.raw(
            """
            SELECT * FROM ticket_views WHERE workspace_id = \(bind: workspace) \
            AND (owner_id IS NULL OR owner_id = \(bind: member.uuid)) ORDER BY position, created_at, id
            """
        ).all(decoding: Row.self).map(record)
    }

    func view(_ id: TicketViewID) async throws -> TicketView {
        try record(try await scope.row("ticket_views", id: id.uuid, as: Row.self, missing: .ticketView))
    }

    func insert(_ view: TicketView) async throws {
        try await sql.raw(
            """
            INSERT INTO ticket_views (id, workspace_id, owner_id, name, filter, position, created_at) VALUES \
            (\(bind: view.id.uuid), \(bind: workspace), \(bind: view.ownerID?.uuid), \(bind: view.name), \
            \(bind: StoredJSON.encode(view.filter)), \(bind: view.position), \(bind: view.createdAt))
            """
        ).run()
    }

    func save(_ view: TicketView) async throws {
        try await sql.raw(
            """
            UPDATE ticket_views SET name = \(bind: view.name), filter = \(bind: StoredJSON.encode(view.filter)), \
            position = \(bind: view.position) WHERE id = \(bind: view.id.uuid) AND workspace_id = \(bind: workspace)
            """
        ).run()
    }

    func delete(_ id: TicketViewID) async throws {
        try await sql.raw("DELETE FROM ticket_views WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: workspace)").run()
    }
}
