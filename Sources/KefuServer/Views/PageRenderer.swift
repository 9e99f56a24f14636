import Foundation
import HTTPTypes
import Hummingbird
import KefuCore
import Mustache

/// Renders server-side pages from the Mustache templates and the locale catalogues shipped as resources.
/// Every visible string comes from a catalogue (`{{t.key}}`); escaping is on by default.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    public let catalogues: Catalogues

    public static func load() async throws -> PageRenderer {
        // Every template starts with `{{% CONTENT_TYPE: KEFU_HTML }}`: the library's own HTML escaping works on
        // Characters, which lets a quote or angle bracket joined to a combining mark through unescaped.
        MustacheContentTypes.register(ScalarHTMLEscaping(), named: ScalarHTMLEscaping.name)
        let base = try ResourceFiles.base()
        let library = try await MustacheLibrary(directory: base.appendingPathComponent("templates").path)
        return PageRenderer(library: library, catalogues: try Catalogues.load(from: base))
    }

    enum RendererError: Error { case missingResources, missingTemplate(String) }

    /// One string from the catalogue, or `section.key` when missing (visible, never a crash).
    func text(_ section: String, _ key: String, _ locale: UILocale) -> String {
        catalogues.text(section, key, locale)
    }

    /// Renders a template with its typed content, inside the shell `frame` for signed-in pages.
    func render<Content>(
        _ template: PageTemplate, _ content: Content, frame: ShellFrame? = nil, locale: UILocale,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let context = PageContext(content: content, frame: frame, catalogue: catalogues.catalogue(locale), locale: locale)
        let html =
            library.render(context, withTemplate: template.rawValue)
            ?? "<!doctype html><title>Kefu</title><p>Template \(template.rawValue) missing.</p>"
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// What a refused form shows, in the reader's language; nil for errors a form does not explain (404, 5xx).
    func formMessage(_ error: any Error, _ request: Request, _ context: AuthenticatedContext) -> String? {
        catalogues.formMessage(
            error, PageLocale.resolve(identity: context.identity, acceptLanguage: request.headers[.acceptLanguage]))
    }

    func errorPage(status: HTTPResponse.Status, message: String, locale: UILocale) -> Response {
        let title =
            switch status {
            case .notFound: text("error", "not_found", locale)
            case .forbidden: text("error", "forbidden", locale)
            default: text("error", "generic", locale)
            }
        return render(
            .error, PageModel.Error(title: title, status: status.code, message: message), locale: locale, status: status)
    }
}

/// The page templates in `Resources/templates`.
enum PageTemplate: String, CaseIterable {
    case login, invite, error, section, workspace, members, tokens, audit
    case kbList = "kb_list"
    case kbEditor = "kb_editor"
    case kbFAQs = "kb_faqs"
    case kbFAQ = "kb_faq"
    case botTry = "bot_try"
    case botIntents = "bot_intents"
    case botIntent = "bot_intent"
    case botModels = "bot_models"
    case botTemplates = "bot_templates"
    case portalHome = "portal_home"
    case portalArticle = "portal_article"
    case portalTicketNew = "portal_ticket_new"
    case portalTicketStatus = "portal_ticket_status"
    case demo, console
    case cannedReplies = "canned_replies"
    case sensitiveWords = "sensitive_words"
    case businessHours = "business_hours"
    case tickets, ticket
    case ticketNew = "ticket_new"
    case slaPolicies = "sla_policies"
    case slaPolicy = "sla_policy"
    case actions
    case actionEditor = "action_editor"
    case ticketFields = "ticket_fields"
    case deliveries
    case emailSettings = "email_settings"
}

/// HTML escaping per Unicode scalar, for every `{{…}}` in the templates.
struct ScalarHTMLEscaping: MustacheContentType {
    static let name = "KEFU_HTML"

    func escapeText(_ text: String) -> String { HTMLSanitizer.escapeAttribute(text) }
}
