import FluentKit
import Foundation
import KefuCore

/// The append-only audit log of the bound workspace: there is deliberately no update or delete.
public protocol AuditRepository: Sendable {
    /// Appends the event to this workspace's log (its `workspaceID` is set to the bound workspace).
    func append(_ event: AuditEvent) async throws
    /// Newest first; `before` is the cursor of the last event of the previous page.
    func events(before: AuditCursor?, limit: Int) async throws -> [AuditEvent]
}

/// Audit records that belong to no workspace or to one not yet known (failed sign-ins, `kefu admin`), and a read of
/// failed sign-ins across workspaces for reports and checks (the throttle itself counts in `SignInCounters`).
public protocol SystemAuditLog: Sendable {
    func append(_ event: AuditEvent) async throws
    /// Times of failed sign-ins for this e-mail or from this IP since the given time, newest first.
    func failedSignIns(email: String?, ip: String?, since: Date) async throws -> [Date]
}

/// Position in the audit log: time, then id, both descending.
public struct AuditCursor: Sendable, Equatable {
    public var createdAt: Date
    public var id: AuditEventID

    public init(createdAt: Date, id: AuditEventID) {
        self.createdAt = createdAt
        self.id = id
    }

    /// Text form used in API responses: `<seconds since 1970>_<event id>`. Every string of that shape is a position
    /// in the log (the API document states the pattern), so a well-formed cursor is never refused.
    public var encoded: String { "\(createdAt.timeIntervalSince1970)_\(id)" }

    public init?(encoded: String) {
        let parts = encoded.split(separator: "_")
        // Seconds within the contract's twelve digits: a date every database can store.
        guard parts.count == 2, let t = Double(parts[0]), t.isFinite, t >= 0, t < 1e12, let id = AuditEventID(String(parts[1]))
        else {
            return nil
        }
        self.init(createdAt: Date(timeIntervalSince1970: t), id: id)
    }
}

struct SQLAuditRepository: AuditRepository {
    let scope: WorkspaceScope

    func append(_ event: AuditEvent) async throws {
        var event = event
        event.workspaceID = scope.workspaceID
        try await AuditEventModel(event).create(on: scope.db)
    }

    func events(before: AuditCursor?, limit: Int) async throws -> [AuditEvent] {
        let query = scope.query(AuditEventModel.self)
            .sort(\.$createdAt, .descending)
            .sort(\.$id, .descending)
            .limit(limit)
        if let before {
            query.group(.or) { or in
                or.filter(\.$createdAt < before.createdAt)
                or.group(.and) { and in
                    and.filter(\.$createdAt == before.createdAt)
                    and.filter(\.$id < before.id.uuid)
                }
            }
        }
        return try await query.all().map { try $0.record() }
    }
}

struct SQLSystemAuditLog: SystemAuditLog {
    let db: any Database

    func append(_ event: AuditEvent) async throws {
        try await AuditEventModel(event).create(on: db)
    }

    func failedSignIns(email: String?, ip: String?, since: Date) async throws -> [Date] {
        guard email != nil || ip != nil else { return [] }
        let query = AuditEventModel.query(on: db)
            .filter(\.$action == AuditAction.signInFailed.rawValue)
            .filter(\.$createdAt >= since)
            .sort(\.$createdAt, .descending)
            .limit(500)
        query.group(.or) { or in
            if let email { or.filter(\.$target == email) }
            if let ip { or.filter(\.$ip == ip) }
        }
        return try await query.all().map(\.createdAt)
    }
}
