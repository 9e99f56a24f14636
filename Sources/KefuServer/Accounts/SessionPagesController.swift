import Foundation
import HTTPTypes
import Hummingbird
import KefuCore

/// Sign-in and sign-out pages.
struct SessionPagesController {
    let credentials: CredentialService
    let pages: AnonymousPages
    let cookies: SessionCookies

    func register(public routes: PublicRoutes, secured: SecuredRoutes) {
        routes.on(.get, WebPath.root, use: root)
        routes.on(.get, WebPath.login, use: loginPage)
        routes.on(.post, WebPath.login, use: login)
        secured.on(.post, WebPath.logout, .viewAppShell, use: logout)
    }

    @Sendable func root(_ request: Request, context: AppRequestContext) async throws -> Response {
        .redirect(to: context.identity == nil ? WebPath.login : WebPath.app)
    }

    @Sendable func loginPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.identity != nil { return .redirect(to: WebPath.app) }
        let next = request.uri.queryParameters["next"].map(String.init) ?? ""
        return pages.render(.login, request: request, status: .ok) { csrf, title in
            PageModel.Login(title: title, csrf: csrf, next: next)
        }
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let form = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        let locale = pages.locale(request)
        let email = form["email"] ?? ""
        let next = form["next"] ?? ""
        do {
            let signedIn = try await credentials.signIn(
                email: email, password: form["password"] ?? "", workspaceSlug: form["workspace"], ip: context.clientIP)
            let (token, _) = try await credentials.startSession(signedIn)
            var response = Response.redirect(to: Self.safeNext(next) ?? WebPath.app)
            response.setCookie(cookies.session(token))
            return response
        } catch DomainError.unauthenticated {
            return pages.render(.login, request: request, status: .unauthorized) { csrf, title in
                PageModel.Login(
                    title: title, csrf: csrf, next: next, email: email, workspace: form["workspace"],
                    error: pages.renderer.text("login", "failed", locale))
            }
        } catch DomainError.rateLimited(let seconds) {
            var response = pages.render(.login, request: request, status: .tooManyRequests) { csrf, title in
                PageModel.Login(
                    title: title, csrf: csrf, next: next, email: email, error: pages.renderer.text("login", "locked", locale))
            }
            response.headers[.retryAfter] = "\(seconds)"
            return response
        }
    }

    @Sendable func logout(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await credentials.signOut(context.identity, ip: context.clientIP)
        var response = Response.redirect(to: WebPath.login)
        response.setCookie(cookies.session("", maxAge: 0))
        return response
    }

    /// Only a same-origin absolute path. Browsers drop tabs and newlines and read `\\` as `/`, so `/\t/evil.example`
    /// would leave the site: any control character or backslash is refused before the path is parsed, and the parsed
    /// URL must have no scheme, host or user and a path that starts with a single `/`.
    static func safeNext(_ next: String) -> String? {
        guard !next.isEmpty, next.count <= 2048,
            !next.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) || $0 == "\\" })
        else { return nil }
        guard let url = URLComponents(string: next), url.scheme == nil, url.host == nil, url.user == nil,
            url.percentEncodedPath.hasPrefix("/"), !url.percentEncodedPath.hasPrefix("//")
        else { return nil }
        return next
    }
}

/// The sign-in redirect rule, visible to tests.
public enum SessionPagesControllerProbe {
    public static func safeNext(_ next: String) -> String? { SessionPagesController.safeNext(next) }
}
