import Foundation
import Hummingbird
import KefuCore
import KefuStore

/// Settings → Audit log, a hundred events a page.
struct AuditSettingsPages {
    let audit: AuditService
    let renderer: PageRenderer

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.settingsAudit, .viewAudit, use: list)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let cursor = request.uri.queryParameters["cursor"].flatMap { AuditCursor(encoded: String($0)) }
        let limit = 100
        let events = try await audit.events(context.identity, before: cursor, limit: limit)
        let rows = events.map { e in
            PageModel.Audit.Row(
                at: e.createdAt.ISO8601Format(), atDisplay: ShellPage.display(e.createdAt), actor: e.actorLabel ?? "",
                action: e.action.rawValue, target: e.target ?? "", ip: e.ip ?? "", before: e.before, after: e.after)
        }
        var nextPage: String?
        if events.count == limit, let last = events.last {
            let next = AuditCursor(createdAt: last.createdAt, id: last.id).encoded
            nextPage =
                WebPath.settingsAudit + "?cursor=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }
        return page.render(
            .audit, PageModel.Audit(events: rows, nextPage: nextPage), title: renderer.text("settings", "audit", page.locale),
            nav: "settings", sub: "audit")
    }
}
