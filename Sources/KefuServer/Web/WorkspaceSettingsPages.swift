import Foundation
import Hummingbird
import KefuCore

/// Settings → Workspace: name, default language, teams.
struct WorkspaceSettingsPages {
    let workspaces: WorkspaceService
    let renderer: PageRenderer

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.settingsWorkspace, .viewWorkspace, use: show)
        routes.on(.post, WebPath.settingsWorkspace, .updateWorkspace, use: update)
    }

    @Sendable func show(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let teams = try await workspaces.teams(context.identity)
        let locales = UILocale.allCases.map {
            [
                "value": $0.rawValue, "label": $0 == .en ? "English" : "简体中文",
                "selected": $0 == context.identity.workspace.defaultLocale,
            ] as [String: Any]
        }
        return page.render(
            "workspace", title: renderer.text("settings", "workspace", page.locale), nav: "settings", sub: "workspace",
            flashKey: ShellPage.flash(request),
            extra: [
                "workspace": ["name": context.identity.workspace.name, "slug": context.identity.workspace.slug],
                "locales": locales, "teams": teams.map { ["name": $0.name] },
            ])
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        let locale = try form["default_locale"].map {
            guard let locale = UILocale(rawValue: $0) else {
                throw ValidationErrors("default_locale", .oneOf(UILocale.allCases.map(\.rawValue)))
            }
            return locale
        }
        _ = try await workspaces.update(context.identity, name: form["name"], defaultLocale: locale, ip: context.clientIP)
        return .redirect(to: WebPath.settingsWorkspace + "?flash=workspace_saved")
    }
}
