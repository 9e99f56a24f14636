import Foundation
import Hummingbird
import KefuCore

/// A workspace's own e-mail server over the API (admins): read (never the password), set, or go back to the
/// server's.
struct EmailSettingsAPIController {
    let deliveries: DeliveryService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.emailSettings, .manageDeliveries, use: show)
        routes.on(.put, APIPath.emailSettings, .manageDeliveries, use: save)
        routes.on(.delete, APIPath.emailSettings, .manageDeliveries, use: clear)
    }

    struct Settings: Encodable, ResponseEncodable, Sendable {
        enum CodingKeys: String, CodingKey {
            case from
            case smtpURL = "smtp_url"
            case serverSMTPURL = "server_smtp_url"
            case serverFrom = "server_from"
            case updatedAt = "updated_at"
        }

        var smtpURL: String?
        var from: String?
        var serverSMTPURL: String?
        var serverFrom: String?
        var updatedAt: Date?

        init(_ view: DeliveryService.EmailSettingsView) {
            smtpURL = view.smtpURL
            from = view.from
            serverSMTPURL = view.serverDefault
            serverFrom = view.serverFrom
            updatedAt = view.updatedAt
        }

        /// Every key is always present; absent values are null.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(smtpURL, forKey: .smtpURL)
            try container.encode(from, forKey: .from)
            try container.encode(serverSMTPURL, forKey: .serverSMTPURL)
            try container.encode(serverFrom, forKey: .serverFrom)
            try container.encode(updatedAt, forKey: .updatedAt)
        }
    }

    struct Change: Decodable {
        enum CodingKeys: String, CodingKey {
            case from
            case smtpURL = "smtp_url"
        }

        var smtpURL: String
        var from: String
    }

    @Sendable func show(_ request: Request, context: AuthenticatedContext) async throws -> Settings {
        Settings(try await deliveries.emailSettings(context.identity))
    }

    @Sendable func save(_ request: Request, context: AuthenticatedContext) async throws -> Settings {
        let change = try await request.decodeJSON(Change.self, context: context)
        return Settings(
            try await deliveries.setEmailSettings(
                context.identity, smtpURL: change.smtpURL, from: change.from, ip: context.clientIP))
    }

    @Sendable func clear(_ request: Request, context: AuthenticatedContext) async throws -> HTTPResponse.Status {
        try await deliveries.clearEmailSettings(context.identity, ip: context.clientIP)
        return .noContent
    }
}
