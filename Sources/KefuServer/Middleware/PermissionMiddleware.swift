import Hummingbird
import KefuCore

/// The one place a route's permission is enforced, against `PermissionTable`.
struct PermissionMiddleware: RouterMiddleware {
    typealias Context = AuthenticatedContext
    let permission: Permission

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        guard context.identity.can(permission) else { throw APIError.forbidden }
        return try await next(request, context)
    }
}
