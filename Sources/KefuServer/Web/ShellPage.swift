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

    /// Renders `template` inside the shell, `nav` naming the active section and `sub` the active settings page.
    func render(
        _ template: String, title: String, nav: String, sub: String? = nil, flashKey: String? = nil, extra: [String: Any] = [:]
    ) -> Response {
        var data: [String: Any] = [
            "title": title,
            "csrf": csrf,
            "user": ["email": identity.user.email, "name": identity.user.displayName, "role_label": roleLabel(identity.role)],
            "workspace": ["name": identity.workspace.name, "slug": identity.workspace.slug],
            "nav": [nav: true],
            "can": [
                "audit": identity.can(.viewAudit), "manage": identity.can(.manageMembers), "edit": identity.can(.updateWorkspace),
            ],
        ]
        if let sub { data["sub"] = [sub: true] }
        if let flashKey, let (section, key) = Self.flashKeys[flashKey] { data["flash"] = renderer.text(section, key, locale) }
        data.merge(extra) { _, new in new }
        return renderer.render(template, data, locale: locale)
    }

    /// Flash messages travel as a known key in the redirect URL, never as free text.
    static let flashKeys: [String: (String, String)] = [
        "role_saved": ("members", "role_saved"),
        "removed": ("members", "removed"),
        "workspace_saved": ("workspace", "saved"),
        "token_revoked": ("tokens", "revoked_flash"),
    ]

    /// The flash key a redirect put in the URL.
    static func flash(_ request: Request) -> String? { request.uri.queryParameters["flash"].map(String.init) }

    static func display(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: false).dateSeparator(.dash).timeSeparator(.colon))
    }
}
