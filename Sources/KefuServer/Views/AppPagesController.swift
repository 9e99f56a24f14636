import Foundation
import Hummingbird
import KefuCore

/// The agent shell's sections. Sections whose issue has not landed say so plainly instead of faking features.
struct AppPagesController {
    let renderer: PageRenderer

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.app, .viewAppShell, use: console)
        routes.on(.get, WebPath.reports, .viewAppShell) { request, context in section(request, context, "reports") }
        routes.on(.get, WebPath.settings, .viewWorkspace) { _, _ in Response.redirect(to: WebPath.settingsWorkspace) }
    }

    /// The Conversations section: inbox views, the live transcript and composer, the customer and the hand-off.
    @Sendable func console(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let strings = renderer.catalogues.catalogue(page.locale)["console"] ?? [:]
        let json = (try? JSONEncoder().encode(strings)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return page.render(
            .console,
            PageModel.Console(
                strings: json, userID: context.identity.user.id.description,
                canReply: context.identity.can(.replyConversations)),
            title: renderer.text("nav", "conversations", page.locale), nav: "conversations")
    }

    private func section(_ request: Request, _ context: AuthenticatedContext, _ name: String) -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let heading = renderer.text("nav", name, page.locale)
        return page.render(
            .section, PageModel.Section(heading: heading, intro: renderer.text("section", name, page.locale)), title: heading,
            nav: name)
    }
}

extension PageModel {
    struct Console {
        /// The console's texts as JSON, for its script.
        var strings: String
        var userID: String
        var canReply: Bool
    }
}
