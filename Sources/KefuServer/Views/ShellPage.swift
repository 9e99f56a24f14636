import Foundation
import Hummingbird
import KefuCore

/// The data every page inside the agent shell needs: user, workspace, CSRF token, navigation state.
struct ShellPage {
    let identity: Identity
    let locale: UILocale
    let renderer: PageRenderer

    init(_ context: AuthenticatedContext, request: Request, renderer: PageRenderer) {
        self.identity = context.identity
        self.locale = PageLocale.resolve(identity: context.identity, acceptLanguage: request.headers[.acceptLanguage])
        self.renderer = renderer
    }

    var csrf: String {
        if case .session(_, let csrf) = identity.credential { return csrf }
        return ""
    }

    func roleLabel(_ role: Role) -> String { renderer.text("roles", role.rawValue, locale) }

    /// Renders a page's typed content inside the shell, `nav` naming the active section and `sub` the active
    /// settings page.
    func render<Content>(
        _ template: PageTemplate, _ content: Content, title: String, nav: String, sub: String? = nil, flashKey: String? = nil
    ) -> Response {
        var flash: String?
        if let flashKey, let (section, key) = Self.flashKeys[flashKey] { flash = renderer.text(section, key, locale) }
        let frame = ShellFrame(
            title: title, csrf: csrf,
            user: .init(email: identity.user.email, name: identity.user.displayName, roleLabel: roleLabel(identity.role)),
            workspace: .init(name: identity.workspace.name, slug: identity.workspace.slug), nav: [nav: true],
            sub: sub.map { [$0: true] } ?? [:],
            can: .init(
                audit: identity.can(.viewAudit), manage: identity.can(.manageMembers), edit: identity.can(.updateWorkspace),
                chat: identity.can(.manageChatSettings), actions: identity.can(.manageActions),
                deliveries: identity.can(.manageDeliveries)),
            flash: flash)
        return renderer.render(template, content, frame: frame, locale: locale)
    }

    /// Flash messages travel as a known key in the redirect URL, never as free text.
    static let flashKeys: [String: (String, String)] = [
        "role_saved": ("members", "role_saved"),
        "routing_saved": ("members", "routing_saved"),
        "removed": ("members", "removed"),
        "invitation_revoked": ("members", "invitation_revoked"),
        "workspace_saved": ("workspace", "saved"),
        "token_revoked": ("tokens", "revoked_flash"),
        "reply_saved": ("canned", "saved"),
        "reply_deleted": ("canned", "deleted"),
        "word_saved": ("words", "saved"),
        "word_deleted": ("words", "deleted"),
        "hours_saved": ("hours", "saved"),
        "intent_team_saved": ("bot", "intent_team_saved"),
        "article_saved": ("kb", "saved"),
        "faq_saved": ("kb", "faq_saved"),
        "faq_deleted": ("kb", "faq_deleted"),
        "phrase_added": ("bot", "phrase_added"),
        "intent_created": ("bot", "intent_created"),
        "training_queued": ("bot", "training_queued"),
        "model_activated": ("bot", "model_activated"),
        "view_saved": ("tickets", "view_saved"),
        "tickets_updated": ("tickets", "updated_flash"),
        "ticket_created": ("tickets", "created_flash"),
        "ticket_saved": ("tickets", "saved_flash"),
        "reply_sent": ("tickets", "reply_sent"),
        "note_added": ("tickets", "note_added"),
        "ticket_merged": ("tickets", "merged_flash"),
        "sla_saved": ("sla", "saved"),
        "sla_deleted": ("sla", "deleted"),
        "webhook_saved": ("sla", "webhook_saved"),
        "actions_saved": ("actions", "saved_settings"),
        "secret_rotated": ("actions", "secret_rotated"),
        "action_saved": ("actions", "saved"),
        "action_deleted": ("actions", "deleted"),
        "field_saved": ("fields", "saved"),
        "field_deleted": ("fields", "deleted"),
        "delivery_queued": ("deliveries", "queued_flash"),
        "test_email_queued": ("deliveries", "test_queued_flash"),
        "email_saved": ("email", "saved"),
        "email_cleared": ("email", "cleared"),
    ]

    /// The flash key a redirect put in the URL.
    static func flash(_ request: Request) -> String? { request.uri.queryParameters["flash"].map(String.init) }

    /// "2026-11-24 22:08" (UTC), for lists and histories.
    static func short(_ date: Date?) -> String {
        String(display(date).replacingOccurrences(of: "T", with: " ").prefix(16))
    }

    static func display(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: false).dateSeparator(.dash).timeSeparator(.colon))
    }
}
