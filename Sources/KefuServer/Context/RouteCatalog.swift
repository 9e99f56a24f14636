import HTTPTypes
import Hummingbird
import KefuCore
import Synchronization

/// Who may call a route. Recorded for every route so a test can walk them all.
public enum RouteAccess: Sendable, Equatable {
    case anonymous
    case permission(Permission)
}

/// Where a route answers: JSON API (errors as JSON, 401) or pages (HTML, redirect to sign-in).
public enum RouteSurface: Sendable { case api, page }

/// The registry of routes and their access rule, filled while the router is built.
public final class RouteCatalog: Sendable {
    public struct Entry: Sendable {
        public let method: HTTPRequest.Method
        public let path: String
        public let access: RouteAccess
        public let surface: RouteSurface
    }

    private let storage = Mutex<[Entry]>([])

    public init() {}

    public var entries: [Entry] { storage.withLock { $0 } }

    func record(_ method: HTTPRequest.Method, _ path: String, _ access: RouteAccess, _ surface: RouteSurface) {
        storage.withLock { $0.append(Entry(method: method, path: path, access: access, surface: surface)) }
    }
}

/// Registers routes that need a signed-in caller with a permission; the permission middleware and the catalogue
/// entry are made by the same call, so they cannot disagree. API routes also get their documented operation's
/// request check, after the permission check (a caller without the right gets 403, not a list of field errors).
struct SecuredRoutes {
    let group: RouterGroup<AuthenticatedContext>
    let catalog: RouteCatalog
    let surface: RouteSurface
    var contract: OpenAPIContract?

    func on(
        _ method: HTTPRequest.Method, _ path: String, _ permission: Permission,
        use handler: @escaping @Sendable (Request, AuthenticatedContext) async throws -> some ResponseGenerator
    ) {
        catalog.record(method, path, .permission(permission), surface)
        let route = group.group().add(middleware: PermissionMiddleware(permission: permission))
        if let contract, let check = ContractValidationMiddleware<AuthenticatedContext>(contract.require(method, path)) {
            route.add(middleware: check)
        }
        route.on(RouterPath(path), method: method, use: handler)
    }
}

/// Registers routes anyone may call; form posts on pages get the anonymous CSRF check, API routes their documented
/// operation's request check.
struct PublicRoutes {
    let router: Router<AppRequestContext>
    let catalog: RouteCatalog
    let surface: RouteSurface
    var csrf: AnonymousCSRFMiddleware?
    var contract: OpenAPIContract?

    func on(
        _ method: HTTPRequest.Method, _ path: String,
        use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> some ResponseGenerator
    ) {
        catalog.record(method, path, .anonymous, surface)
        let route = router.group()
        if method == .post, let csrf { route.add(middleware: csrf) }
        if let contract, let check = ContractValidationMiddleware<AppRequestContext>(contract.require(method, path)) {
            route.add(middleware: check)
        }
        route.on(RouterPath(path), method: method, use: handler)
    }
}

extension OpenAPIContract {
    /// The documented operation of an API route. An undocumented route is a programming error caught at start (and by
    /// every test that builds the app), so the document cannot fall behind the routes.
    func require(_ method: HTTPRequest.Method, _ routePath: String) -> Operation {
        guard let operation = operation(method, routePath: routePath) else {
            preconditionFailure("\(method) \(routePath) is routed but not in the API document (openapi.json)")
        }
        return operation
    }
}
