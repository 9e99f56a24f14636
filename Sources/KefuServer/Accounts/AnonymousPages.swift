import Foundation
import HTTPTypes
import Hummingbird
import KefuCore

/// Renders pages for signed-out visitors (sign-in, invitations) with a CSRF token bound to the `kefu_csrf` cookie.
struct AnonymousPages: Sendable {
    let renderer: PageRenderer
    let secret: SecretKey
    let cookies: SessionCookies

    func locale(_ request: Request) -> UILocale {
        PageLocale.resolve(identity: nil, acceptLanguage: request.headers[.acceptLanguage])
    }

    /// Renders `template` with the content `build` makes from the form's CSRF token and the page's title.
    func render<Content>(
        _ template: PageTemplate, request: Request, status: HTTPResponse.Status,
        _ build: (_ csrf: String, _ title: String) -> Content
    ) -> Response {
        let locale = locale(request)
        let existing = request.cookies[AnonymousCSRFMiddleware.cookieName]?.value
        let nonce = existing.flatMap { $0.isEmpty ? nil : $0 } ?? Secrets.token(prefix: "")
        let content = build(secret.sign("csrf:" + nonce), renderer.text(template.rawValue, "title", locale))
        var response = renderer.render(template, content, locale: locale, status: status)
        if existing != nonce { response.setCookie(cookies.csrf(nonce)) }
        return response
    }
}

/// The cookies Kefu sets: the session and the signed-out CSRF nonce.
struct SessionCookies: Sendable {
    let secure: Bool
    let sessionSeconds: Int

    func session(_ value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(
            name: IdentityMiddleware.sessionCookie, value: value, maxAge: maxAge ?? sessionSeconds, path: "/", secure: secure,
            httpOnly: true, sameSite: .lax)
    }

    func csrf(_ nonce: String) -> Cookie {
        Cookie(
            name: AnonymousCSRFMiddleware.cookieName, value: nonce, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
