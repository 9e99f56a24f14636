import Foundation
import Hummingbird
import KefuCore

/// Settings → Members: the list, role changes, removal and invitations.
struct MemberSettingsPages {
    let members: MemberService
    let routing: RoutingService
    let renderer: PageRenderer
    let links: PublicLinks

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.settingsMembers, .viewMembers, use: list)
        routes.on(.post, WebPath.settingsInvite, .manageMembers, use: invite)
        routes.on(.post, WebPath.settingsMemberRole, .manageMembers, use: changeRole)
        routes.on(.post, WebPath.settingsMemberRouting, .manageMembers, use: changeRouting)
        routes.on(.post, WebPath.settingsMemberRemove, .manageMembers, use: remove)
        routes.on(.post, WebPath.settingsInvitationRevoke, .manageMembers, use: revokeInvitation)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await render(request, context, inviteLink: nil)
    }

    private func render(_ request: Request, _ context: AuthenticatedContext, inviteLink: String?) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let actor = context.identity.role
        let all = try await members.members(context.identity, after: nil, limit: 1000)
        let loads = try await routing.loads(context.identity)
        let rows = all.map { member in
            let load = loads[member.user.id]
            let settings = load?.routing ?? AgentRouting(maxChats: 0, skills: [], languages: [])
            return PageModel.Members.Row(
                id: member.user.id.description, name: member.user.displayName, email: member.user.email,
                roleLabel: page.roleLabel(member.role),
                editable: member.user.id != context.identity.user.id && PermissionTable.canAssign(member.role, by: actor),
                roles: Role.allCases.filter { PermissionTable.canAssign($0, by: actor) || $0 == member.role }.map {
                    .init(value: $0.rawValue, label: page.roleLabel($0), selected: $0 == member.role)
                },
                roleAction: WebPath.memberRole(member.user.id), joined: member.createdAt.ISO8601Format(),
                joinedDisplay: ShellPage.display(member.createdAt), routingAction: WebPath.memberRouting(member.user.id),
                maxChats: settings.maxChats,
                load: settings.maxChats == 0
                    ? renderer.text("members", "not_routed", page.locale)
                    : renderer.text("members", "open_chats", page.locale)
                        .replacingOccurrences(of: "{open}", with: String(load?.openChats ?? 0))
                        .replacingOccurrences(of: "{max}", with: String(settings.maxChats)),
                skills: settings.skills.joined(separator: ", "), speaksChinese: settings.languages.contains("zh-CN"),
                speaksEnglish: settings.languages.contains("en"))
        }
        let assignable = Role.allCases.filter { PermissionTable.canAssign($0, by: actor) }.map {
            PageModel.Option(value: $0.rawValue, label: page.roleLabel($0), selected: false, isAgent: $0 == .agent)
        }
        let pending =
            context.identity.can(.manageMembers)
            ? try await members.pendingInvitations(context.identity).map { invitation in
                PageModel.Members.Pending(
                    email: invitation.email, roleLabel: page.roleLabel(invitation.role),
                    expires: invitation.expiresAt.ISO8601Format(), expiresDisplay: ShellPage.display(invitation.expiresAt),
                    revokeAction: WebPath.invitationRevoke(invitation.id))
            } : []
        return page.render(
            .members,
            PageModel.Members(
                members: rows, assignable: assignable, inviteLink: inviteLink, pending: pending,
                hasPending: !pending.isEmpty),
            title: renderer.text("settings", "members", page.locale), nav: "settings", sub: "members",
            flashKey: ShellPage.flash(request))
    }

    @Sendable func invite(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        let role = try Self.role(form)
        let (_, token) = try await members.invite(context.identity, email: form["email"] ?? "", role: role, ip: context.clientIP)
        return try await render(request, context, inviteLink: links.url(token: token, request: request))
    }

    @Sendable func changeRole(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let userID = try context.parameters.require("userID", as: UserID.self)
        let role = try Self.role(try await FormData.read(request, context))
        _ = try await members.changeRole(context.identity, userID: userID, to: role, ip: context.clientIP)
        return .redirect(to: WebPath.settingsMembers + "?flash=role_saved")
    }

    @Sendable func changeRouting(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let userID = try context.parameters.require("userID", as: UserID.self)
        let form = try await FormData.read(request, context)
        guard let maxChats = NumberInput.int(form["max_chats"], in: 0...AgentRouting.maxCapacity) else {
            throw ValidationErrors("max_chats", .number(min: 0, max: Double(AgentRouting.maxCapacity)))
        }
        let skills = (form["skills"] ?? "").split(whereSeparator: { $0 == "," || $0 == "，" })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let languages = ["zh-CN", "en"].filter { form["language_" + $0] == "on" }
        _ = try await routing.setSettings(
            context.identity, userID, AgentRouting(maxChats: maxChats, skills: skills, languages: languages),
            ip: context.clientIP)
        return .redirect(to: WebPath.settingsMembers + "?flash=routing_saved")
    }

    @Sendable func remove(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let userID = try context.parameters.require("userID", as: UserID.self)
        try await members.removeMember(context.identity, userID: userID, ip: context.clientIP)
        return .redirect(to: WebPath.settingsMembers + "?flash=removed")
    }

    @Sendable func revokeInvitation(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("invitationID", as: InvitationID.self)
        _ = try await members.revokeInvitation(context.identity, id: id, ip: context.clientIP)
        return .redirect(to: WebPath.settingsMembers + "?flash=invitation_revoked")
    }

    private static func role(_ form: FormData) throws -> Role {
        guard let role = Role(rawValue: form["role"] ?? "") else {
            throw ValidationErrors("role", .oneOf(Role.allCases.map(\.rawValue)))
        }
        return role
    }
}
