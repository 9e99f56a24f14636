import Foundation
import Hummingbird
import KefuCore

/// The help center's "submit a request" form (suggested articles first, as you type) and the requester's status
/// page behind the signed link, with a reply box. Plain forms: they work without JavaScript.
extension PortalPages {
    struct TicketForm {
        var portal: PageModel.Portal
        var title: String
        var csrf: String
        var key: String
        var subject: String
        var body: String
        var email: String
        var name: String
        var errors: [String]
        var hasErrors: Bool { !errors.isEmpty }
        var action: String
        var searchAPI: String
        var deflectAPI: String
    }

    struct TicketStatusPage {
        struct Line {
            var fromAgent: Bool
            var who: String
            var body: String
            var at: String
        }

        var portal: PageModel.Portal
        var title: String
        var csrf: String
        var number: Int
        var subject: String
        var status: String
        var isClosed: Bool
        var lines: [Line]
        var created: Bool
        var action: String
        var link: String
    }

    /// The signed-out CSRF token for a form and the cookie it is bound to.
    private func csrf(_ request: Request) -> (token: String, cookie: Cookie?) {
        let existing = request.cookies[AnonymousCSRFMiddleware.cookieName]?.value
        let nonce = existing.flatMap { $0.isEmpty ? nil : $0 } ?? Secrets.token(prefix: "")
        return (secret.sign("csrf:" + nonce), existing == nonce ? nil : cookies.csrf(nonce))
    }

    private func form(
        _ request: Request, _ workspace: Workspace, locale: ContentLocale, fields: [String: String], errors: [String],
        status: HTTPResponse.Status
    ) async throws -> Response {
        let path = WebPath.portalTicketForm(workspace.slug)
        let (token, cookie) = csrf(request)
        let page = TicketForm(
            portal: try await frame(workspace, locale: locale, query: "", path: path),
            title: renderer.text("portal", "submit_request", locale), csrf: token,
            key: fields["key"].flatMap { $0.isEmpty ? nil : $0 } ?? Secrets.token(prefix: "form_"),
            subject: fields["subject"] ?? "", body: fields["body"] ?? "", email: fields["email"] ?? "",
            name: fields["name"] ?? "", errors: errors, action: path + "?lang=" + locale.rawValue,
            searchAPI: "/api/v1/portal/\(workspace.slug)/search?locale=\(locale.rawValue)",
            deflectAPI: "/api/v1/portal/\(workspace.slug)/deflections")
        var response = renderer.render(.portalTicketNew, page, locale: locale, status: status)
        if let cookie { response.setCookie(cookie) }
        return response
    }

    @Sendable func ticketForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try await portal.workspace(slug: try context.parameters.require("slug"))
        return try await form(request, workspace, locale: locale(request, workspace), fields: [:], errors: [], status: .ok)
    }

    @Sendable func submitTicket(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let fields = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        let workspace = try await portal.workspace(slug: try context.parameters.require("slug"))
        let locale = locale(request, workspace)
        let values = ["subject", "body", "email", "name", "key"].reduce(into: [String: String]()) { $0[$1] = fields[$1] ?? "" }
        do {
            let (_, token, _) = try await tickets.open(
                slug: workspace.slug, subject: values["subject"] ?? "", body: values["body"] ?? "",
                email: values["email"] ?? "", name: values["name"], idempotencyKey: values["key"],
                address: context.clientIP ?? "")
            return .redirect(
                to: WebPath.portalTicketStatus(workspace.slug, token) + "?created=1&lang=" + locale.rawValue, type: .normal)
        } catch let invalid as ValidationErrors {
            let messages = invalid.issues.sorted { $0.key < $1.key }.map { field, issue in
                Self.fieldLabel(field, renderer: renderer, locale) + ": "
                    + renderer.catalogues.issue(issue, locale == .zhCN ? .zhCN : .en)
            }
            return try await form(
                request, workspace, locale: locale, fields: values, errors: messages, status: .unprocessableContent)
        }
    }

    @Sendable func ticketStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        let slug = try context.parameters.require("slug")
        let token = try context.parameters.require("token")
        let (workspace, stored, events) = try await tickets.status(slug: slug, token: token)
        let locale = locale(request, workspace)
        let path = WebPath.portalTicketStatus(slug, token)
        let (csrfToken, cookie) = csrf(request)
        let ticket = stored.ticket
        let page = TicketStatusPage(
            portal: try await frame(workspace, locale: locale, query: "", path: path),
            title: renderer.text("portal", "ticket_title", locale) + " #\(ticket.number)", csrf: csrfToken,
            number: ticket.number, subject: ticket.subject,
            status: Self.statusLabel(ticket.status, renderer: renderer, locale),
            isClosed: ticket.status == .closed,
            lines: events.map { event in
                let fromAgent = event.author == .agent
                return TicketStatusPage.Line(
                    fromAgent: fromAgent,
                    who: renderer.text("portal", fromAgent ? "ticket_support" : "ticket_you", locale),
                    body: event.body ?? "", at: ShellPage.display(event.createdAt))
            },
            created: request.uri.queryParameters["created"] != nil, action: path + "?lang=" + locale.rawValue, link: path)
        var response = renderer.render(.portalTicketStatus, page, locale: locale)
        // The link is the key to the ticket: keep it out of other sites' referrers and of shared caches.
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.cacheControl] = "no-store"
        if let cookie { response.setCookie(cookie) }
        return response
    }

    @Sendable func replyToTicket(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let fields = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        let slug = try context.parameters.require("slug")
        let token = try context.parameters.require("token")
        _ = try await tickets.reply(slug: slug, token: token, body: fields["body"] ?? "", address: context.clientIP ?? "")
        let lang = request.uri.queryParameters["lang"].map { "?lang=" + String($0) } ?? ""
        return .redirect(to: WebPath.portalTicketStatus(slug, token) + lang, type: .normal)
    }

    static func statusLabel(_ status: TicketStatus, renderer: PageRenderer, _ locale: ContentLocale) -> String {
        switch status {
        case .new: renderer.text("portal", "ticket_status_new", locale)
        case .open: renderer.text("portal", "ticket_status_open", locale)
        case .pending: renderer.text("portal", "ticket_status_pending", locale)
        case .onHold: renderer.text("portal", "ticket_status_on_hold", locale)
        case .solved: renderer.text("portal", "ticket_status_solved", locale)
        case .closed: renderer.text("portal", "ticket_status_closed", locale)
        }
    }

    /// The form's label for a field an error names.
    static func fieldLabel(_ field: String, renderer: PageRenderer, _ locale: ContentLocale) -> String {
        switch field {
        case "subject": renderer.text("portal", "field_subject", locale)
        case "body": renderer.text("portal", "field_body", locale)
        case "requester_email", "email": renderer.text("portal", "field_email", locale)
        case "requester_name", "name": renderer.text("portal", "field_name", locale)
        default: field
        }
    }
}
