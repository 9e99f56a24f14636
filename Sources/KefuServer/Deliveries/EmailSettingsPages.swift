import Foundation
import Hummingbird
import KefuCore

/// Settings → E-mail (admins): the workspace's own e-mail server and sender (else the server's), and a test e-mail.
/// The password is typed once and shown as `***` afterwards; a refused form keeps what was typed.
struct EmailSettingsPages {
    let deliveries: DeliveryService
    let renderer: PageRenderer

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.settingsEmail, .manageDeliveries, use: show)
        routes.on(.post, WebPath.settingsEmail, .manageDeliveries, use: save)
        routes.on(.post, WebPath.settingsEmailClear, .manageDeliveries, use: clear)
    }

    private func render(_ request: Request, _ context: AuthenticatedContext, form: FormData?, error: String?) async throws
        -> Response
    {
        let page = ShellPage(context, request: request, renderer: renderer)
        let view = try await deliveries.emailSettings(context.identity)
        let model = PageModel.EmailSettings(
            smtpURL: form?["smtp_url"] ?? view.smtpURL ?? "", from: form?["from"] ?? view.from ?? "",
            own: view.smtpURL != nil, serverDefault: view.serverDefault, serverFrom: view.serverFrom,
            to: context.identity.user.email, error: error)
        return page.render(
            .emailSettings, model, title: renderer.text("settings", "email", page.locale), nav: "settings", sub: "email",
            flashKey: ShellPage.flash(request))
    }

    @Sendable func show(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await render(request, context, form: nil, error: nil)
    }

    @Sendable func save(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        do {
            _ = try await deliveries.setEmailSettings(
                context.identity, smtpURL: form["smtp_url"] ?? "", from: form["from"] ?? "", ip: context.clientIP)
            return .redirect(to: WebPath.settingsEmail + "?flash=email_saved")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await render(request, context, form: form, error: text)
        }
    }

    @Sendable func clear(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        _ = try await FormData.read(request, context)
        try await deliveries.clearEmailSettings(context.identity, ip: context.clientIP)
        return .redirect(to: WebPath.settingsEmail + "?flash=email_cleared")
    }
}

extension PageModel {
    struct EmailSettings {
        var smtpURL: String
        var from: String
        var own: Bool
        var serverDefault: String?
        var serverFrom: String?
        var to: String
        var error: String?
    }
}
