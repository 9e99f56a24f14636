import FluentKit
import Foundation
import KefuCore

/// The append-only audit log: there is deliberately no update or delete.
public protocol AuditRepository: Sendable {
    func append(_ event: AuditEvent) async throws
    /// Newest first; `before` is the cursor of the last event of the previous page.
    func events(workspaceID: UUID, before: AuditCursor?, limit: Int) async throws -> [AuditEvent]
    /// Times of failed sign-ins for this e-mail or from this IP since the given time, newest first.
    func failedSignIns(email: String?, ip: String?, since: Date) async throws -> [Date]
}

/// Position in the audit log: time, then id, both descending.
public struct AuditCursor: Sendable, Equatable {
    public var createdAt: Date
    public var id: UUID

    public init(createdAt: Date, id: UUID) {
        self.createdAt = createdAt
        self.id = id
    }

    /// Opaque text form used in API responses.
    public var encoded: String {
        Data("\(createdAt.timeIntervalSince1970)|\(id.uuidString)".utf8).base64EncodedString()
    }

    public init?(encoded: String) {
        guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|")
        guard parts.count == 2, let t = Double(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.init(createdAt: Date(timeIntervalSince1970: t), id: id)
    }
}

public struct SQLAuditRepository: AuditRepository {
    let db: any Database

    public init(database: any Database) { self.db = database }

    public func append(_ event: AuditEvent) async throws {
        try await AuditEventModel(event).create(on: db)
    }

    public func events(workspaceID: UUID, before: AuditCursor?, limit: Int) async throws -> [AuditEvent] {
        let query = AuditEventModel.query(on: db)
            .filter(\.$workspaceID == workspaceID)
            .sort(\.$createdAt, .descending)
            .sort(\.$id, .descending)
            .limit(limit)
        if let before {
            query.group(.or) { or in
                or.filter(\.$createdAt < before.createdAt)
                or.group(.and) { and in
                    and.filter(\.$createdAt == before.createdAt)
                    and.filter(\.$id < before.id)
                }
            }
        }
        return try await query.all().map { try $0.record() }
    }

    public func failedSignIns(email: String?, ip: String?, since: Date) async throws -> [Date] {
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
