import Foundation
import Hummingbird
import KefuCore
import KefuStore

/// Settings: workspace profile, members and roles, personal API tokens, the audit log.
struct SettingsPagesController {
    let accounts: AccountService
    let renderer: PageRenderer
    let publicURL: String?

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.settingsWorkspace, .viewWorkspace, use: workspace)
        routes.on(.post, WebPath.settingsWorkspace, .updateWorkspace, use: updateWorkspace)
        routes.on(.get, WebPath.settingsMembers, .viewMembers, use: members)
        routes.on(.post, WebPath.settingsInvite, .manageMembers, use: invite)
        routes.on(.post, WebPath.settingsMemberRole, .manageMembers, use: changeRole)
        routes.on(.post, WebPath.settingsMemberRemove, .manageMembers, use: removeMember)
        routes.on(.get, WebPath.settingsTokens, .manageOwnTokens, use: tokens)
        routes.on(.post, WebPath.settingsTokens, .manageOwnTokens, use: createToken)
        routes.on(.post, WebPath.settingsTokenRevoke, .manageOwnTokens, use: revokeToken)
        routes.on(.get, WebPath.settingsAudit, .viewAudit, use: audit)
    }

    private func page(_ request: Request, _ context: AuthenticatedContext) -> ShellPage {
        ShellPage(context, request: request, renderer: renderer)
    }

    private func flash(_ request: Request) -> String? { request.uri.queryParameters["flash"].map(String.init) }

    private func form(_ request: Request, _ context: AuthenticatedContext) async throws -> FormData {
        var request = request
        return FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
    }

    // MARK: Workspace

    @Sendable func workspace(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let page = page(request, context)
        let teams = try await accounts.teams(context.identity)
        let locales = UILocale.allCases.map {
            [
                "value": $0.rawValue, "label": $0 == .en ? "English" : "简体中文",
                "selected": $0.rawValue == context.identity.workspace.defaultLocale,
            ] as [String: Any]
        }
        return page.render(
            "workspace", title: renderer.text("settings", "workspace", page.locale), nav: "settings", sub: "workspace",
            flashKey: flash(request),
            extra: [
                "workspace": ["name": context.identity.workspace.name, "slug": context.identity.workspace.slug],
                "locales": locales, "teams": teams.map { ["name": $0.name] },
            ])
    }

    @Sendable func updateWorkspace(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await form(request, context)
        _ = try await accounts.updateWorkspace(
            context.identity, name: form["name"], defaultLocale: form["default_locale"], ip: context.clientIP)
        return .redirect(to: WebPath.settingsWorkspace + "?flash=workspace_saved")
    }

    // MARK: Members

    @Sendable func members(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await renderMembers(request, context, inviteLink: nil)
    }

    private func renderMembers(_ request: Request, _ context: AuthenticatedContext, inviteLink: String?) async throws -> Response
    {
        let page = page(request, context)
        let actor = context.identity.role
        let all = try await accounts.members(context.identity, after: nil, limit: 1000)
        let members: [[String: Any]] = all.map { member in
            let editable = member.user.id != context.identity.user.id && PermissionTable.canAssign(member.role, by: actor)
            let roles = Role.allCases.filter { PermissionTable.canAssign($0, by: actor) || $0 == member.role }.map {
                ["value": $0.rawValue, "label": page.roleLabel($0), "selected": $0 == member.role] as [String: Any]
            }
            return [
                "id": member.user.id.uuidString, "name": member.user.displayName, "email": member.user.email,
                "role_label": page.roleLabel(member.role), "editable": editable, "roles": roles,
                "role_action": WebPath.memberRole(member.user.id.uuidString),
                "joined": member.createdAt.ISO8601Format(), "joined_display": ShellPage.display(member.createdAt),
            ]
        }
        let assignable = Role.allCases.filter { PermissionTable.canAssign($0, by: actor) }.map {
            ["value": $0.rawValue, "label": page.roleLabel($0), "is_agent": $0 == .agent] as [String: Any]
        }
        var extra: [String: Any] = ["members": members, "assignable": assignable]
        if let inviteLink { extra["invite_link"] = inviteLink }
        return page.render(
            "members", title: renderer.text("settings", "members", page.locale), nav: "settings", sub: "members",
            flashKey: flash(request), extra: extra)
    }

    @Sendable func invite(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await form(request, context)
        guard let role = Role(rawValue: form["role"] ?? "") else { throw AccountAPIController.roleError }
        let (_, token) = try await accounts.invite(context.identity, email: form["email"] ?? "", role: role, ip: context.clientIP)
        return try await renderMembers(request, context, inviteLink: absoluteURL(WebPath.invite(token), request: request))
    }

    @Sendable func changeRole(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let userID = try context.parameters.require("userID", as: UUID.self)
        let form = try await form(request, context)
        guard let role = Role(rawValue: form["role"] ?? "") else { throw AccountAPIController.roleError }
        _ = try await accounts.changeRole(context.identity, userID: userID, to: role, ip: context.clientIP)
        return .redirect(to: WebPath.settingsMembers + "?flash=role_saved")
    }

    @Sendable func removeMember(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let userID = try context.parameters.require("userID", as: UUID.self)
        try await accounts.removeMember(context.identity, userID: userID, ip: context.clientIP)
        return .redirect(to: WebPath.settingsMembers + "?flash=removed")
    }

    /// Invitation links must work when pasted elsewhere: the configured public URL, else this request's host.
    private func absoluteURL(_ path: String, request: Request) -> String {
        if let publicURL { return (publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL) + path }
        guard let host = request.head.authority else { return path }
        let scheme = request.headers[.forwardedProto] == "https" ? "https" : "http"
        return "\(scheme)://\(host)\(path)"
    }

    // MARK: Tokens

    @Sendable func tokens(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await renderTokens(request, context, newToken: nil)
    }

    private func renderTokens(_ request: Request, _ context: AuthenticatedContext, newToken: String?) async throws -> Response {
        let page = page(request, context)
        let tokens = try await accounts.personalTokens(context.identity).map { token -> [String: Any] in
            [
                "id": token.id.uuidString, "name": token.name, "created": ShellPage.display(token.createdAt),
                "last_used": token.lastUsedAt.map(ShellPage.display) ?? renderer.text("tokens", "never", page.locale),
                "revoked": token.revokedAt != nil, "revoke_action": WebPath.tokenRevoke(token.id.uuidString),
            ]
        }
        var extra: [String: Any] = ["tokens": tokens]
        if let newToken { extra["new_token"] = newToken }
        return page.render(
            "tokens", title: renderer.text("settings", "tokens", page.locale), nav: "settings", sub: "tokens",
            flashKey: flash(request), extra: extra)
    }

    @Sendable func createToken(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await form(request, context)
        let (token, _) = try await accounts.createPersonalToken(context.identity, name: form["name"] ?? "", ip: context.clientIP)
        return try await renderTokens(request, context, newToken: token)
    }

    @Sendable func revokeToken(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("tokenID", as: UUID.self)
        _ = try await accounts.revokeToken(context.identity, id: id, ip: context.clientIP)
        return .redirect(to: WebPath.settingsTokens + "?flash=token_revoked")
    }

    // MARK: Audit

    @Sendable func audit(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let page = page(request, context)
        let cursor = request.uri.queryParameters["cursor"].flatMap { AuditCursor(encoded: String($0)) }
        let limit = 100
        let events = try await accounts.auditEvents(context.identity, before: cursor, limit: limit)
        let rows = events.map { e -> [String: Any] in
            var row: [String: Any] = [
                "at": e.createdAt.ISO8601Format(), "at_display": ShellPage.display(e.createdAt), "actor": e.actorLabel ?? "",
                "action": e.action, "target": e.target ?? "", "ip": e.ip ?? "",
            ]
            // Mustache treats an empty string as present: leave absent values out.
            if let before = e.before { row["before"] = before }
            if let after = e.after { row["after"] = after }
            return row
        }
        var extra: [String: Any] = ["events": rows]
        if events.count == limit, let last = events.last {
            let next = AuditCursor(createdAt: last.createdAt, id: last.id).encoded
            extra["next_page"] =
                WebPath.settingsAudit + "?cursor=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }
        return page.render(
            "audit", title: renderer.text("settings", "audit", page.locale), nav: "settings", sub: "audit", extra: extra)
    }
}
