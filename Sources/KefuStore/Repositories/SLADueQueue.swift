import FluentKit
import Foundation
import KefuCore
import SQLKit

/// Tickets of every workspace whose SLA clocks need a look (a warning or a breach due), for the SLA sweep. Reads the
/// `sla_next_check_at` index only, so a sweep costs what is due, not how many tickets are open.
public protocol SLADueQueue: Sendable {
    func due(at: Date, limit: Int) async throws -> [(WorkspaceID, TicketID)]
}

struct SQLSLADueQueue: SLADueQueue {
    let db: any Database

    func due(at: Date, limit: Int) async throws -> [(WorkspaceID, TicketID)] {
        struct Row: Decodable {
            var id: UUID
            var workspace_id: UUID
        }
        guard let sql = db as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        return try await sql.raw(
            """
            SELECT id, workspace_id FROM tickets WHERE sla_next_check_at <= \(bind: at) \
            ORDER BY sla_next_check_at LIMIT \(literal: limit)
            """
        ).all(decoding: Row.self).map { (WorkspaceID($0.workspace_id), TicketID($0.id)) }
    }
}
