import HTTPTypes
import Hummingbird

/// A known path asked with a method it does not have gets 405 and the methods it has in `Allow`, not 404.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let catalog: RouteCatalog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            let methods = catalog.entries.filter { OpenAPIContract.matches(template: $0.path, path) }.map(\.method.rawValue)
            guard !methods.isEmpty, !methods.contains(request.method.rawValue) else { throw error }
            var refusal = APIError(.methodNotAllowed, code: "method_not_allowed")
            refusal.headers[HTTPField.Name.allow] = Set(methods).sorted().joined(separator: ", ")
            throw refusal
        }
    }
}
