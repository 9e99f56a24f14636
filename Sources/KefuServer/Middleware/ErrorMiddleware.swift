import Foundation
import HTTPTypes
import Hummingbird
import KefuCore

/// Turns every error into the API's JSON error shape (under /api and the ops endpoints) or an HTML page, so no
/// error text reaches a client unintended. Unexpected errors are logged with the request id.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let pages: PageRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let apiError = APIError.from(error)
            if apiError.status == .internalServerError {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            if Self.isAPI(request.uri.path) {
                let locale = APILocale.resolve(acceptLanguage: request.headers[.acceptLanguage], identity: context.identity)
                var response = Self.json(apiError, catalogues: pages.catalogues, locale: locale)
                // The widget calls from the shop's own site: its refusals must be readable there too.
                if request.uri.path.hasPrefix(Self.widgetAPIPrefix) {
                    response.headers[.accessControlAllowOrigin] = "*"
                    response.headers[.accessControlExposeHeaders] = "Retry-After"
                }
                return response
            }
            return pagesResponse(apiError, request: request, context: context)
        }
    }

    static let widgetAPIPrefix = "/api/v1/widget/"

    static func isAPI(_ path: String) -> Bool {
        path.hasPrefix("/api/") || path == "/api" || path.hasPrefix("/ws/") || path == APIPath.health || path == APIPath.ready
            || path == APIPath.metrics
    }

    static func json(_ error: APIError, catalogues: Catalogues, locale: UILocale) -> Response {
        struct Body: Encodable {
            struct Inner: Encodable {
                var code: String
                var message: String
                var fields: [String: String]?
            }
            var error: Inner
        }
        let data =
            (try? JSONCoding.encoder.encode(
                Body(
                    error: .init(
                        code: error.code, message: catalogues.message(error, locale),
                        fields: error.issues.map { catalogues.fields($0, locale) }))))
            ?? Data("{\"error\":{\"code\":\"internal\",\"message\":\"error\"}}".utf8)
        var headers = error.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func pagesResponse(_ error: APIError, request: Request, context: Context) -> Response {
        if error.status == .unauthorized {
            let next =
                request.method == .get
                ? "?next=" + (request.uri.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") : ""
            return .redirect(to: WebPath.login + next, type: .normal)
        }
        let locale = PageLocale.resolve(identity: context.identity, acceptLanguage: request.headers[.acceptLanguage])
        let message = pages.catalogues.fullMessage(error, locale)
        var response = pages.errorPage(status: error.status, message: message, locale: locale)
        for field in error.headers { response.headers.append(field) }
        return response
    }
}
