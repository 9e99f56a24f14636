import Foundation
import Hummingbird
import KefuCore

/// What the chat widget needs before it opens its socket: the workspace's name, colour and languages. Public: the
/// widget key is in every page that embeds the widget.
struct WidgetAPIController {
    let conversations: ConversationService
    let catalogues: Catalogues

    func register(_ routes: PublicRoutes) {
        routes.on(.get, APIPath.widget, use: settings)
    }

    struct Settings: ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case name
            case brandColor = "brand_color"
            case defaultLocale = "default_locale"
            case botActive = "bot_active"
            case locale, strings, available, reason
            case opensAt = "opens_at"
        }

        var name: String
        var brandColor: String
        var defaultLocale: UILocale
        var botActive: Bool
        /// The language the widget shows: `?locale=`, else the workspace's.
        var locale: UILocale
        /// The widget's texts in that language.
        var strings: [String: String]
        /// Whether people answer now; when not, `reason` says why (`closed`, `nobody_online`) and `opens_at` when the
        /// business opens next.
        var available: Bool
        var reason: String?
        var opensAt: Date?
    }

    /// Readable from any site's page: the widget runs there.
    @Sendable func settings(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Settings> {
        let key = try context.parameters.require("widgetKey")
        let (workspace, portal, botActive, availability) = try await conversations.widgetSettings(widgetKey: key)
        let locale = request.uri.queryParameters.get("locale").flatMap(UILocale.init(loose:)) ?? workspace.defaultLocale
        return EditedResponse(
            headers: [.accessControlAllowOrigin: "*"],
            response: Settings(
                name: workspace.name, brandColor: portal.brandColor, defaultLocale: workspace.defaultLocale,
                botActive: botActive, locale: locale, strings: catalogues.catalogue(locale)["widget"] ?? [:],
                available: availability.unavailable == nil, reason: availability.unavailable?.rawValue,
                opensAt: availability.opensAt))
    }
}
