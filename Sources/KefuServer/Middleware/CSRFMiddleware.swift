import Foundation
import Hummingbird

/// Every state-changing form post must carry `_csrf`: the session's token when signed in, else a token signed from
/// the `kefu_csrf` cookie (double submit). JSON API calls are exempt: browsers cannot send them cross-site without
/// CORS, which Kefu does not allow.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let cookieName = "kefu_csrf"
    let secret: SecretKey

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, !ErrorMiddleware.isAPI(request.uri.path) else {
            return try await next(request, context)
        }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let form = FormData(String(buffer: body))
        guard let submitted = form["_csrf"], Secrets.equal(submitted, expectedToken(request: request, context: context) ?? "\u{0}")
        else {
            throw APIError.csrf
        }
        return try await next(request, context)
    }

    func expectedToken(request: Request, context: Context) -> String? {
        if let identity = context.identity, case .session(_, let csrf) = identity.credential { return csrf }
        guard let nonce = request.cookies[Self.cookieName]?.value, !nonce.isEmpty else { return nil }
        return secret.sign("csrf:" + nonce)
    }
}
