import FluentKit
import Foundation
import KefuCore

final class WorkspaceModel: Model, @unchecked Sendable {
    static let schema = "workspaces"

    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "default_locale") var defaultLocale: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "brand_color") var brandColor: String
    @OptionalField(key: "support_email") var supportEmail: String?
    @OptionalField(key: "support_phone") var supportPhone: String?
    @OptionalField(key: "widget_key") var widgetKey: String?
    @OptionalField(key: "default_team_id") var defaultTeamID: UUID?

    init() {}

    init(id: UUID = UUID(), slug: String, name: String, defaultLocale: String, createdAt: Date) {
        self.id = id
        self.slug = slug
        self.name = name
        self.defaultLocale = defaultLocale
        self.createdAt = createdAt
        self.brandColor = "#0f766e"
        self.widgetKey = WidgetKey.generate()
    }

    func record() throws -> Workspace {
        Workspace(
            id: WorkspaceID(try requireID()), slug: slug, name: name,
            defaultLocale: try decodeStored(UILocale.self, defaultLocale, table: Self.schema, column: "default_locale"),
            createdAt: createdAt, widgetKey: widgetKey, defaultTeamID: defaultTeamID.map { TeamID($0) })
    }
}
