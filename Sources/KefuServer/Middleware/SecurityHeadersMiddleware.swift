import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    // Literal, valid header names: the initializer cannot fail for them.
    // swift-format-ignore: NeverForceUnwrap
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
    // swift-format-ignore: NeverForceUnwrap
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    // swift-format-ignore: NeverForceUnwrap
    static let xFrameOptions = Self("X-Frame-Options")!
    // swift-format-ignore: NeverForceUnwrap
    static let referrerPolicy = Self("Referrer-Policy")!
}

/// Headers that make the browser refuse what Kefu never does: scripts and styles from anywhere but our own files
/// (no inline script or handler anywhere), being framed by another page, guessing content types, and sending
/// our URLs (invitation links carry a token) to other sites. API responses are never stored by caches: they carry
/// personal data and credentials.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        if response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
            response.headers[.xFrameOptions] = "DENY"
        }
        if request.uri.path.hasPrefix(APIPath.base + "/"), request.uri.path != APIPath.openAPI {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}
