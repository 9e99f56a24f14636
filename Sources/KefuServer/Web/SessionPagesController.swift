import Foundation
import HTTPTypes
import Hummingbird
import KefuCore

/// Sign-in, sign-out and invitation acceptance pages.
struct SessionPagesController {
    let accounts: AccountService
    let renderer: PageRenderer
    let secret: SecretKey
    let secureCookies: Bool
    let sessionSeconds: Int

    func register(public routes: PublicRoutes, secured: SecuredRoutes) {
        routes.on(.get, WebPath.root, use: root)
        routes.on(.get, WebPath.login, use: loginPage)
        routes.on(.post, WebPath.login, use: login)
        routes.on(.get, WebPath.invite, use: invitePage)
        routes.on(.post, WebPath.invite, use: acceptInvite)
        secured.on(.post, WebPath.logout, .viewAppShell, use: logout)
    }

    @Sendable func root(_ request: Request, context: AppRequestContext) async throws -> Response {
        .redirect(to: context.identity == nil ? WebPath.login : WebPath.app)
    }

    @Sendable func loginPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.identity != nil { return .redirect(to: WebPath.app) }
        let next = request.uri.queryParameters["next"].map(String.init) ?? ""
        return renderAnonymous("login", request: request, status: .ok, data: ["next": next])
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let form = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        let locale = PageLocale.resolve(identity: nil, acceptLanguage: request.headers[.acceptLanguage])
        let email = form["email"] ?? ""
        let next = form["next"] ?? ""
        do {
            let signedIn = try await accounts.signIn(
                email: email, password: form["password"] ?? "", workspaceSlug: form["workspace"], ip: context.clientIP)
            let (token, _) = try await accounts.startSession(signedIn)
            var response = Response.redirect(to: Self.safeNext(next) ?? WebPath.app)
            response.setCookie(sessionCookie(token, maxAge: sessionSeconds))
            return response
        } catch DomainError.unauthenticated {
            let data: [String: Any] = [
                "error": renderer.text("login", "failed", locale), "email": email, "next": next,
                "workspace": form["workspace"] ?? "",
            ]
            return renderAnonymous("login", request: request, status: .unauthorized, data: data)
        } catch DomainError.rateLimited(let seconds) {
            var response = renderAnonymous(
                "login", request: request, status: .tooManyRequests,
                data: ["error": renderer.text("login", "locked", locale), "email": email, "next": next])
            response.headers[.retryAfter] = "\(seconds)"
            return response
        }
    }

    @Sendable func logout(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await accounts.signOut(context.identity, ip: context.clientIP)
        var response = Response.redirect(to: WebPath.login)
        response.setCookie(sessionCookie("", maxAge: 0))
        return response
    }

    @Sendable func invitePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard let (invitation, workspace) = try await accounts.openInvitation(token: token) else {
            return invalidInvitation(request)
        }
        return renderAnonymous(
            "invite", request: request, status: .ok, data: inviteData(invitation, workspace, token: token, request: request))
    }

    @Sendable func acceptInvite(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        var request = request
        let form = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        guard let (invitation, workspace) = try await accounts.openInvitation(token: token) else {
            return invalidInvitation(request)
        }
        do {
            let signedIn = try await accounts.acceptInvitation(
                token: token, displayName: form["name"] ?? "", password: form["password"] ?? "", ip: context.clientIP)
            let (session, _) = try await accounts.startSession(signedIn)
            var response = Response.redirect(to: WebPath.app)
            response.setCookie(sessionCookie(session, maxAge: sessionSeconds))
            return response
        } catch let errors as ValidationErrors {
            var data = inviteData(invitation, workspace, token: token, request: request)
            data["error"] = errors.fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
            return renderAnonymous("invite", request: request, status: .unprocessableContent, data: data)
        } catch DomainError.unauthenticated {
            var data = inviteData(invitation, workspace, token: token, request: request)
            let locale = PageLocale.resolve(identity: nil, acceptLanguage: request.headers[.acceptLanguage])
            data["error"] = renderer.text("login", "failed", locale)
            return renderAnonymous("invite", request: request, status: .unauthorized, data: data)
        }
    }

    private func inviteData(_ invitation: Invitation, _ workspace: Workspace, token: String, request: Request) -> [String: Any] {
        let locale = PageLocale.resolve(identity: nil, acceptLanguage: request.headers[.acceptLanguage])
        return [
            "workspace": workspace.name, "email": invitation.email,
            "role_label": renderer.text("roles", invitation.role.rawValue, locale),
            "action": WebPath.invite(token),
        ]
    }

    private func invalidInvitation(_ request: Request) -> Response {
        let locale = PageLocale.resolve(identity: nil, acceptLanguage: request.headers[.acceptLanguage])
        return renderer.errorPage(status: .notFound, message: renderer.text("invite", "invalid", locale), locale: locale)
    }

    /// Renders a page for a signed-out visitor with a CSRF token bound to the `kefu_csrf` cookie.
    private func renderAnonymous(_ template: String, request: Request, status: HTTPResponse.Status, data: [String: Any])
        -> Response
    {
        let locale = PageLocale.resolve(identity: nil, acceptLanguage: request.headers[.acceptLanguage])
        let existing = request.cookies[AnonymousCSRFMiddleware.cookieName]?.value
        let nonce = existing.flatMap { $0.isEmpty ? nil : $0 } ?? Secrets.token(prefix: "")
        var data = data
        data["csrf"] = secret.sign("csrf:" + nonce)
        data["title"] = renderer.text(template == "login" ? "login" : "invite", "title", locale)
        var response = renderer.render(template, data, locale: locale, status: status)
        if existing != nonce {
            response.setCookie(
                Cookie(
                    name: AnonymousCSRFMiddleware.cookieName, value: nonce, path: "/", secure: secureCookies, httpOnly: true,
                    sameSite: .lax))
        }
        return response
    }

    private func sessionCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: IdentityMiddleware.sessionCookie, value: value, maxAge: maxAge, path: "/", secure: secureCookies,
            httpOnly: true,
            sameSite: .lax)
    }

    /// Only same-site relative paths; `//host` and absolute URLs would be an open redirect.
    static func safeNext(_ next: String) -> String? {
        guard next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains("://") else { return nil }
        return next
    }
}

/// The sign-in redirect rule, visible to tests.
public enum SessionPagesControllerProbe {
    public static func safeNext(_ next: String) -> String? { SessionPagesController.safeNext(next) }
}
