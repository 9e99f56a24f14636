import Foundation
import Hummingbird
import KefuCore

/// What the chat widget needs before it opens its socket: the workspace's name, colour and languages. Public: the
/// widget key is in every page that embeds the widget.
struct WidgetAPIController {
    let conversations: ConversationService

    func register(_ routes: PublicRoutes) {
        routes.on(.get, APIPath.widget, use: settings)
    }

    struct Settings: ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case name
            case brandColor = "brand_color"
            case defaultLocale = "default_locale"
            case botActive = "bot_active"
        }

        var name: String
        var brandColor: String
        var defaultLocale: UILocale
        var botActive: Bool
    }

    @Sendable func settings(_ request: Request, context: AppRequestContext) async throws -> Settings {
        let key = try context.parameters.require("widgetKey")
        let (workspace, portal, botActive) = try await conversations.widgetSettings(widgetKey: key)
        return Settings(
            name: workspace.name, brandColor: portal.brandColor, defaultLocale: workspace.defaultLocale, botActive: botActive)
    }
}
