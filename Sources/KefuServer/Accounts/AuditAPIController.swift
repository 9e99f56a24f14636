import Foundation
import Hummingbird
import KefuCore
import KefuStore

/// The workspace's audit log, newest first.
struct AuditAPIController {
    let audit: AuditService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.auditEvents, .viewAudit, use: list)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Page<DTO.AuditEntry> {
        let page = try PageQuery(request)
        var cursor: AuditCursor?
        if let text = page.cursor {
            guard let parsed = AuditCursor(encoded: text) else { throw APIError.validation(ValidationErrors("cursor", .cursor)) }
            cursor = parsed
        }
        let events = try await audit.events(context.identity, before: cursor, limit: page.limit)
        let next = events.count == page.limit ? events.last.map { AuditCursor(createdAt: $0.createdAt, id: $0.id).encoded } : nil
        return Page(data: events.map(DTO.AuditEntry.init), nextCursor: next)
    }
}
