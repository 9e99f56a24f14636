import Foundation
import Hummingbird
import KefuCore

/// Settings → API tokens: the caller's personal tokens.
struct TokenSettingsPages {
    let credentials: CredentialService
    let renderer: PageRenderer

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.settingsTokens, .manageOwnTokens, use: list)
        routes.on(.post, WebPath.settingsTokens, .manageOwnTokens, use: create)
        routes.on(.post, WebPath.settingsTokenRevoke, .manageOwnTokens, use: revoke)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await render(request, context, newToken: nil)
    }

    private func render(_ request: Request, _ context: AuthenticatedContext, newToken: String?) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let tokens = try await credentials.personalTokens(context.identity).map { token in
            PageModel.Tokens.Row(
                id: token.id.description, name: token.name, created: ShellPage.display(token.createdAt),
                lastUsed: token.lastUsedAt.map(ShellPage.display) ?? renderer.text("tokens", "never", page.locale),
                revoked: token.revokedAt != nil, revokeAction: WebPath.tokenRevoke(token.id))
        }
        return page.render(
            .tokens, PageModel.Tokens(tokens: tokens, newToken: newToken),
            title: renderer.text("settings", "tokens", page.locale), nav: "settings", sub: "tokens",
            flashKey: ShellPage.flash(request))
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        let (token, _) = try await credentials.createPersonalToken(
            context.identity, name: form["name"] ?? "", ip: context.clientIP)
        return try await render(request, context, newToken: token)
    }

    @Sendable func revoke(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("tokenID", as: TokenID.self)
        _ = try await credentials.revokeToken(context.identity, id: id, ip: context.clientIP)
        return .redirect(to: WebPath.settingsTokens + "?flash=token_revoked")
    }
}
