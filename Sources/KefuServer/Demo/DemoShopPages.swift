import Foundation
import Hummingbird
import KefuCore

/// `/demo`: a stand-in shop page that embeds the demo workspace's chat widget with the one `<script>` tag a business
/// puts on its own site. Not found when the server was not started with `--demo`.
struct DemoShopPages {
    let workspaces: WorkspaceService
    let renderer: PageRenderer

    func register(_ routes: PublicRoutes) {
        routes.on(.get, WebPath.demoShop, use: shop)
    }

    @Sendable func shop(_ request: Request, context: AppRequestContext) async throws -> Response {
        let locale = UILocale.negotiate(acceptLanguage: request.headers[.acceptLanguage])
        guard let workspace = try await workspaces.workspace(slug: DemoSeeder.slug),
            let key = workspace.widgetKey
        else { throw DomainError.notFound(.workspace) }
        let script = WebPath.widgetScript
        return renderer.render(
            .demo,
            PageModel.DemoShop(
                shop: workspace.name, widgetScript: script, widgetKey: key,
                snippet: "<script src=\"https://YOUR-KEFU-HOST\(script)\" data-key=\"\(key)\" async></script>",
                helpCenter: WebPath.portal(workspace.slug)),
            locale: locale)
    }
}

extension PageModel {
    struct DemoShop {
        var shop: String
        var widgetScript: String
        var widgetKey: String
        var snippet: String
        var helpCenter: String
    }
}
