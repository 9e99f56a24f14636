import Foundation
import HTTPTypes
import Hummingbird

/// Form posts from signed-in pages must carry the session's `_csrf` token. Requests authenticated by a bearer token
/// are exempt: a browser never attaches one by itself, so it cannot be forged cross-site.
struct SessionCSRFMiddleware: RouterMiddleware {
    typealias Context = AuthenticatedContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        guard request.method == .post, case .session(_, let expected) = context.identity.credential else {
            return try await next(request, context)
        }
        let request = try await CSRFCheck.verify(request, expected: expected, maxBytes: context.maxUploadSize)
        return try await next(request, context)
    }
}

/// Form posts from signed-out pages (sign-in, invitations): `_csrf` must be the HMAC of the `kefu_csrf` cookie.
struct AnonymousCSRFMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let cookieName = "kefu_csrf"
    let secret: SecretKey

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        guard request.method == .post else { return try await next(request, context) }
        let nonce = request.cookies[Self.cookieName]?.value ?? ""
        let expected = nonce.isEmpty ? nil : secret.sign("csrf:" + nonce)
        let request = try await CSRFCheck.verify(request, expected: expected, maxBytes: context.maxUploadSize)
        return try await next(request, context)
    }
}

enum CSRFCheck {
    /// Reads the form body (kept on the request for the handler) and compares its `_csrf` in constant time.
    static func verify(_ request: Request, expected: String?, maxBytes: Int) async throws -> Request {
        var request = request
        let body = try await request.collectBody(upTo: maxBytes)
        guard let expected, let submitted = FormData(String(buffer: body))["_csrf"], Secrets.equal(submitted, expected) else {
            throw APIError.csrf
        }
        return request
    }
}

/// API writes signed in by the session cookie (the pages' own scripts: preview, votes) must come from this site. A
/// JSON body already needs a same-origin request, but a write without a body would not; the browser's
/// `Sec-Fetch-Site` says where a request came from. Bearer-token calls are exempt, as for forms.
struct SessionAPIOriginMiddleware: RouterMiddleware {
    typealias Context = AuthenticatedContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        guard request.method != .get, request.method != .head, case .session = context.identity.credential else {
            return try await next(request, context)
        }
        if let site = request.headers[Self.fetchSite], site != "same-origin", site != "none" { throw APIError.csrf }
        return try await next(request, context)
    }

    // swift-format-ignore: NeverForceUnwrap
    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
