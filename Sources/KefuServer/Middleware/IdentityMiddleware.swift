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
        if let presented = PresentedCredential(request) {
            context.identity = try await credentials.identify(presented)
        }
        if let identity = context.identity {
            // One key: every metadata write re-renders the handler's metadata.
            context.logger[metadataKey: "user.id"] = .stringConvertible(identity.user.id)
        }
        return try await next(request, context)
    }
}

/// What a request presents to say who it is: a bearer token in `Authorization`, else the session cookie.
enum PresentedCredential: Sendable, Equatable {
    case bearer(String)
    case session(String)

    init?(_ request: Request) {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
            self = .bearer(String(parts[1]))
        } else if let cookie = request.cookies[IdentityMiddleware.sessionCookie]?.value, !cookie.isEmpty {
            self = .session(cookie)
        } else {
            return nil
        }
    }
}

extension CredentialService {
    func identify(_ presented: PresentedCredential, fresh: Bool = false) async throws -> Identity? {
        switch presented {
        case .bearer(let token): try await identify(bearer: token, fresh: fresh)
        case .session(let token): try await identify(sessionToken: token, fresh: fresh)
        }
    }
}
