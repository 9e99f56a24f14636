import Foundation
import KefuCore
import SQLKit

/// The bound workspace's business hours; `BusinessHours.always` until it sets some.
public protocol BusinessHoursRepository: Sendable {
    func get() async throws -> BusinessHours
    func set(_ hours: BusinessHours, at: Date) async throws
}

struct SQLBusinessHoursRepository: BusinessHoursRepository {
    let scope: WorkspaceScope

    private var sql: any SQLDatabase { get throws { try scope.sql } }

    private struct Row: Decodable {
        var enabled: Bool
        var time_zone: String
        var spans: String
        var holidays: String
    }

    func get() async throws -> BusinessHours {
        guard
            let row = try await sql.raw(
                """
                SELECT enabled, time_zone, spans, holidays FROM business_hours \
                WHERE workspace_id = \(bind: scope.workspaceID.uuid)
                """
            ).first(decoding: Row.self)
        else { return .always }
        return BusinessHours(
            enabled: row.enabled, timeZone: row.time_zone,
            spans: try StoredJSON.decode([OpeningSpan].self, row.spans, table: "business_hours", column: "spans"),
            holidays: try StoredJSON.decode([Holiday].self, row.holidays, table: "business_hours", column: "holidays"))
    }

    func set(_ hours: BusinessHours, at: Date) async throws {
        let spans = StoredJSON.encode(hours.spans)
        let holidays = StoredJSON.encode(hours.holidays)
        try await sql.raw(
            """
            INSERT INTO business_hours (id, workspace_id, enabled, time_zone, spans, holidays, updated_at) \
            VALUES (\(bind: UUID()), \(bind: scope.workspaceID.uuid), \(bind: hours.enabled), \(bind: hours.timeZone), \
            \(bind: spans), \(bind: holidays), \(bind: at)) \
            ON CONFLICT (workspace_id) DO UPDATE SET enabled = excluded.enabled, time_zone = excluded.time_zone, \
            spans = excluded.spans, holidays = excluded.holidays, updated_at = excluded.updated_at
            """
        ).run()
    }
}
