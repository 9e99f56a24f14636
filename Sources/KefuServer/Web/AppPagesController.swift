import Foundation
import Hummingbird
import KefuCore

/// The agent shell's sections. Sections whose issue has not landed say so plainly instead of faking features.
struct AppPagesController {
    let renderer: PageRenderer

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.app, .viewAppShell) { request, context in section(request, context, "conversations") }
        routes.on(.get, WebPath.tickets, .viewAppShell) { request, context in section(request, context, "tickets") }
        routes.on(.get, WebPath.reports, .viewAppShell) { request, context in section(request, context, "reports") }
        routes.on(.get, WebPath.settings, .viewWorkspace) { _, _ in Response.redirect(to: WebPath.settingsWorkspace) }
    }

    private func section(_ request: Request, _ context: AuthenticatedContext, _ name: String) -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let heading = renderer.text("nav", name, page.locale)
        return page.render(
            .section, PageModel.Section(heading: heading, intro: renderer.text("section", name, page.locale)), title: heading,
            nav: name)
    }
}
