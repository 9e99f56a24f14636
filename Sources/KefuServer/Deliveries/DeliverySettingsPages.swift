import Foundation
import Hummingbird
import KefuCore

/// Settings → Deliveries (admins): every e-mail and webhook that left or waits to leave, newest first, filtered by
/// status; a dead one is sent again with a click; a test e-mail proves the e-mail server works.
struct DeliverySettingsPages {
    let deliveries: DeliveryService
    let renderer: PageRenderer

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.settingsDeliveries, .manageDeliveries, use: list)
        routes.on(.post, WebPath.settingsDeliveryRetry, .manageDeliveries, use: retry)
        routes.on(.post, WebPath.settingsDeliveryTest, .manageDeliveries, use: test)
    }

    private func render(_ request: Request, _ context: AuthenticatedContext, to: String?, error: String?) async throws
        -> Response
    {
        let page = ShellPage(context, request: request, renderer: renderer)
        let query = request.uri.queryParameters
        let status = query.get("status").flatMap(Delivery.Status.init(rawValue:))
        let before = query.get("before").flatMap(DeliveryID.init)
        let found = try await deliveries.list(context.identity, status: status, channel: nil, before: before)
        let text = { (key: String) in renderer.text("deliveries", key, page.locale) }
        let rows = found.map { delivery in
            PageModel.Deliveries.Row(
                id: delivery.id.description, createdISO: delivery.createdAt.ISO8601Format(),
                created: ShellPage.display(delivery.createdAt), channel: delivery.channel.rawValue, event: delivery.event,
                subject: delivery.subject.isEmpty ? nil : delivery.subject, target: delivery.target,
                status: delivery.status.rawValue, statusLabel: text("status_" + delivery.status.rawValue),
                badge: delivery.status == .delivered ? "ok" : delivery.status == .dead ? "warn" : "",
                nextISO: delivery.status == .queued ? delivery.nextAttemptAt?.ISO8601Format() : nil,
                next: delivery.status == .queued ? delivery.nextAttemptAt.map(ShellPage.display) : nil,
                attempts: delivery.attempts, maxAttempts: delivery.maxAttempts, lastError: delivery.lastError ?? "",
                retry: delivery.status == .dead ? WebPath.deliveryRetry(delivery.id) : nil)
        }
        let filters = [nil] + Delivery.Status.allCases.map(Optional.some)
        // The server e-mails of this workspace go through: its own when set, else the server's.
        let mail = try await deliveries.emailSettings(context.identity)
        let model = PageModel.Deliveries(
            server: mail.smtpURL ?? mail.serverDefault, from: mail.smtpURL == nil ? mail.serverFrom : mail.from,
            serverSource: mail.smtpURL != nil ? text("own_server") : mail.serverDefault != nil ? text("server_default") : nil,
            to: to ?? context.identity.user.email,
            filters: filters.map { option in
                PageModel.Deliveries.Filter(
                    label: option.map { text("status_" + $0.rawValue) } ?? text("all"),
                    href: WebPath.settingsDeliveries + (option.map { "?status=" + $0.rawValue } ?? ""), current: option == status)
            },
            rows: rows,
            more: found.count == DeliveryService.pageSize
                ? WebPath.settingsDeliveries + "?" + (status.map { "status=\($0.rawValue)&" } ?? "") + "before="
                    + (found.last?.id.description ?? "") : nil,
            error: error)
        return page.render(
            .deliveries, model, title: renderer.text("settings", "deliveries", page.locale), nav: "settings", sub: "deliveries",
            flashKey: ShellPage.flash(request))
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await render(request, context, to: nil, error: nil)
    }

    @Sendable func retry(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        _ = try await FormData.read(request, context)
        let id = try context.parameters.require("deliveryID", as: DeliveryID.self)
        do {
            _ = try await deliveries.retry(context.identity, id)
            return .redirect(to: WebPath.settingsDeliveries + "?flash=delivery_queued")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await render(request, context, to: nil, error: text)
        }
    }

    @Sendable func test(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        let page = ShellPage(context, request: request, renderer: renderer)
        do {
            _ = try await deliveries.sendTest(context.identity, to: form["to"], locale: page.locale)
            return .redirect(to: WebPath.settingsDeliveries + "?flash=test_email_queued")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await render(request, context, to: form["to"], error: text)
        }
    }
}

extension PageModel {
    struct Deliveries {
        struct Filter {
            var label: String
            var href: String
            var current: Bool
        }

        struct Row {
            var id: String
            var createdISO: String
            var created: String
            var channel: String
            var event: String
            var subject: String?
            var target: String
            var status: String
            var statusLabel: String
            var badge: String
            var nextISO: String?
            var next: String?
            var attempts: Int
            var maxAttempts: Int
            var lastError: String
            var retry: String?
        }

        var server: String?
        var from: String?
        /// Whose e-mail server it is: the workspace's own or the server's.
        var serverSource: String?
        var to: String
        var filters: [Filter]
        var rows: [Row]
        var more: String?
        var error: String?
    }
}
