import Foundation
import Hummingbird
import KefuCore

/// Settings → SLA: the policies (targets per priority, optionally one team's, business or calendar hours, the warning
/// lead) and where warnings and breaches are posted.
struct SLASettingsPages {
    let policies: SLAPolicyService
    let actions: ActionService
    let renderer: PageRenderer

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.settingsSLA, .viewTickets, use: list)
        routes.on(.get, WebPath.settingsSLANew, .manageTicketSettings, use: newPolicy)
        routes.on(.post, WebPath.settingsSLANew, .manageTicketSettings, use: create)
        routes.on(.get, WebPath.settingsSLAPolicy, .viewTickets, use: edit)
        routes.on(.post, WebPath.settingsSLAPolicy, .manageTicketSettings, use: save)
        routes.on(.post, WebPath.settingsSLAPolicyDelete, .manageTicketSettings, use: delete)
        routes.on(.post, WebPath.settingsSLAWebhook, .manageActions, use: saveWebhook)
    }

    private func renderList(_ request: Request, _ context: AuthenticatedContext, webhookError: String?) async throws
        -> Response
    {
        let page = ShellPage(context, request: request, renderer: renderer)
        let identity = context.identity
        let teams = try await policies.teams(identity)
        let labels = TicketPages.Labels(renderer: renderer, locale: page.locale)
        let rows = try await policies.list(identity).map { policy in
            PageModel.SLAPolicies.Row(
                name: policy.name,
                team: policy.teamID.flatMap { id in teams.first { $0.id == id }?.name } ?? text("all_teams", page),
                hours: text(policy.businessHours ? "business_hours" : "calendar_hours", page),
                targets: policy.targets.map { target in
                    labels.priority(target.priority) + " "
                        + [target.firstResponseMinutes, target.resolutionMinutes].map {
                            $0.map { TicketPages.minutes($0) } ?? "—"
                        }.joined(separator: " / ")
                }.joined(separator: "; "), enabled: policy.enabled, edit: WebPath.slaPolicy(policy.id))
        }
        var webhook = ""
        if identity.can(.manageActions) { webhook = try await actions.slaWebhook(identity) ?? "" }
        return page.render(
            .slaPolicies,
            PageModel.SLAPolicies(
                policies: rows, webhookURL: webhook, webhookError: webhookError,
                canEdit: identity.can(.manageTicketSettings), canWebhook: identity.can(.manageActions)),
            title: renderer.text("settings", "sla", page.locale), nav: "settings", sub: "sla",
            flashKey: ShellPage.flash(request))
    }

    private func text(_ key: String, _ page: ShellPage) -> String { renderer.text("sla", key, page.locale) }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await renderList(request, context, webhookError: nil)
    }

    private func editor(
        _ request: Request, _ context: AuthenticatedContext, policy: SLAPolicy?, form: FormData?, error: String?
    ) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let labels = TicketPages.Labels(renderer: renderer, locale: page.locale)
        let teams = try await policies.teams(context.identity)
        let team = form.map { TeamID($0["team_id"] ?? "") } ?? policy?.teamID
        let model = PageModel.SLAPolicyEditor(
            isNew: policy == nil, action: policy.map { WebPath.slaPolicy($0.id) } ?? WebPath.settingsSLANew,
            deleteAction: policy.map { WebPath.slaPolicyDelete($0.id) }, name: form?["name"] ?? policy?.name ?? "",
            teams: [.init(value: "", label: text("all_teams", page), selected: team == nil)]
                + teams.map { .init(value: $0.id.description, label: $0.name, selected: $0.id == team) },
            businessHours: form.map { $0["business_hours"] == "on" } ?? policy?.businessHours ?? true,
            warnBefore: form.flatMap { NumberInput.int($0["warn_before"], in: 0...SLAPolicy.maxMinutes) } ?? policy?
                .warnBeforeMinutes ?? 30,
            targets: TicketPriority.allCases.map { priority in
                let target = policy?.targets.first { $0.priority == priority }
                return .init(
                    priority: priority.rawValue, label: labels.priority(priority),
                    firstResponse: form?["first_" + priority.rawValue]
                        ?? target?.firstResponseMinutes.map { TicketPages.minutes($0).replacingOccurrences(of: " ", with: "") }
                        ?? "",
                    resolution: form?["resolution_" + priority.rawValue]
                        ?? target?.resolutionMinutes.map { TicketPages.minutes($0).replacingOccurrences(of: " ", with: "") }
                        ?? "")
            }, enabled: form.map { $0["enabled"] == "on" } ?? policy?.enabled ?? true, error: error,
            canEdit: context.identity.can(.manageTicketSettings))
        return page.render(
            .slaPolicy, model, title: renderer.text("settings", "sla", page.locale), nav: "settings", sub: "sla",
            flashKey: ShellPage.flash(request))
    }

    /// "90", "90m", "4h", "1d", "1h30m" → minutes; empty → no target; anything else (or over a year) is a validation error.
    static func minutes(_ text: String?) -> Int?? { NumberInput.minutes(text, limit: SLAPolicy.maxMinutes) }

    static func draft(_ form: FormData) throws -> SLAPolicyService.Draft {
        var errors = ValidationErrors()
        var targets: [SLAPolicy.Target] = []
        for priority in TicketPriority.allCases {
            guard let first = minutes(form["first_" + priority.rawValue]),
                let resolution = minutes(form["resolution_" + priority.rawValue])
            else {
                errors.add("targets", .pattern)
                continue
            }
            if first != nil || resolution != nil {
                targets.append(.init(priority: priority, firstResponseMinutes: first, resolutionMinutes: resolution))
            }
        }
        let warn = NumberInput.int(form["warn_before"], in: 0...SLAPolicy.maxMinutes)
        if warn == nil { errors.add("warn_before_minutes", .pattern) }
        try errors.throwIfAny()
        return SLAPolicyService.Draft(
            name: form["name"] ?? "", teamID: TeamID(form["team_id"] ?? ""), businessHours: form["business_hours"] == "on",
            warnBeforeMinutes: warn ?? 0, targets: targets, enabled: form["enabled"] == "on")
    }

    @Sendable func newPolicy(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await editor(request, context, policy: nil, form: nil, error: nil)
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        do {
            _ = try await policies.create(context.identity, try Self.draft(form), ip: context.clientIP)
            return .redirect(to: WebPath.settingsSLA + "?flash=sla_saved")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await editor(request, context, policy: nil, form: form, error: text)
        }
    }

    @Sendable func edit(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("slaPolicyID", as: SLAPolicyID.self)
        return try await editor(request, context, policy: try await policies.policy(context.identity, id), form: nil, error: nil)
    }

    @Sendable func save(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("slaPolicyID", as: SLAPolicyID.self)
        let form = try await FormData.read(request, context)
        do {
            _ = try await policies.update(context.identity, id, try Self.draft(form), ip: context.clientIP)
            return .redirect(to: WebPath.settingsSLA + "?flash=sla_saved")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            let policy = try await policies.policy(context.identity, id)
            return try await editor(request, context, policy: policy, form: form, error: text)
        }
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("slaPolicyID", as: SLAPolicyID.self)
        try await policies.delete(context.identity, id, ip: context.clientIP)
        return .redirect(to: WebPath.settingsSLA + "?flash=sla_deleted")
    }

    @Sendable func saveWebhook(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        do {
            _ = try await actions.setSLAWebhook(context.identity, url: form["url"], ip: context.clientIP)
            return .redirect(to: WebPath.settingsSLA + "?flash=webhook_saved")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await renderList(request, context, webhookError: text)
        }
    }
}
