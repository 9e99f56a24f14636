import Foundation
import HTTPTypes
import Hummingbird

/// Resolves the caller from `Authorization: Bearer …` or the session cookie. Never rejects by itself: routes that
/// need a caller use `AuthenticatedContext`, which cannot be built without one.
struct IdentityMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let sessionCookie = "kefu_session"
    let credentials: CredentialService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var context = context
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                context.identity = try await credentials.identify(bearer: String(parts[1]))
            }
        } else if let cookie = request.cookies[Self.sessionCookie]?.value, !cookie.isEmpty {
            context.identity = try await credentials.identify(sessionToken: cookie)
        }
        if let identity = context.identity {
            // One key: every metadata write re-renders the handler's metadata.
            context.logger[metadataKey: "user.id"] = .stringConvertible(identity.user.id)
        }
        return try await next(request, context)
    }
}
