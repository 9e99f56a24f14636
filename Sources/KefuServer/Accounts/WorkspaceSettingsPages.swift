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
        routes.on(.post, WebPath.settingsPortal, .updateWorkspace, use: updatePortal)
    }

    @Sendable func updatePortal(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        _ = try await workspaces.updatePortal(
            context.identity, brandColor: form["brand_color"], supportEmail: form["support_email"],
            supportPhone: form["support_phone"], ip: context.clientIP)
        return .redirect(to: WebPath.settingsWorkspace + "?flash=workspace_saved")
    }

    @Sendable func show(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let teams = try await workspaces.teams(context.identity)
        let portal = try await workspaces.portal(context.identity)
        let workspace = context.identity.workspace
        let content = PageModel.Workspace(
            workspace: .init(name: workspace.name, slug: workspace.slug),
            locales: UILocale.allCases.map {
                .init(value: $0.rawValue, label: $0 == .en ? "English" : "简体中文", selected: $0 == workspace.defaultLocale)
            },
            teams: teams.map { .init(name: $0.name) },
            portal: .init(
                brandColor: portal.brandColor, supportEmail: portal.supportEmail ?? "", supportPhone: portal.supportPhone ?? "",
                link: WebPath.portal(workspace.slug)))
        return page.render(
            .workspace, content, title: renderer.text("settings", "workspace", page.locale), nav: "settings",
            sub: "workspace", flashKey: ShellPage.flash(request))
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
