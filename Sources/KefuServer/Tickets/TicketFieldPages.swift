import Foundation
import Hummingbird
import KefuCore

/// Settings → Ticket fields: the custom fields the workspace declares (everyone sees them; supervisors and up add and
/// remove them).
struct TicketFieldPages {
    let fields: TicketFieldService
    let renderer: PageRenderer

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.settingsTicketFields, .viewTickets, use: list)
        routes.on(.post, WebPath.settingsTicketFields, .manageTicketSettings, use: create)
        routes.on(.post, WebPath.settingsTicketFieldDelete, .manageTicketSettings, use: delete)
    }

    private func render(_ request: Request, _ context: AuthenticatedContext, form: FormData?, error: String?) async throws
        -> Response
    {
        let page = ShellPage(context, request: request, renderer: renderer)
        let canEdit = context.identity.can(.manageTicketSettings)
        let rows = try await fields.list(context.identity.workspace.id).map { field in
            PageModel.TicketFields.Row(
                key: field.key, name: field.name, kind: renderer.text("field_kind", field.kind.rawValue, page.locale),
                options: field.options.joined(separator: ", "),
                deleteAction: canEdit ? WebPath.ticketFieldDelete(field.id) : nil)
        }
        let kind = form?["kind"] ?? TicketField.Kind.text.rawValue
        let model = PageModel.TicketFields(
            fields: rows,
            kinds: TicketField.Kind.allCases.map {
                .init(
                    value: $0.rawValue, label: renderer.text("field_kind", $0.rawValue, page.locale),
                    selected: $0.rawValue == kind)
            }, key: form?["key"] ?? "", name: form?["name"] ?? "", options: form?["options"] ?? "", canEdit: canEdit,
            error: error)
        return page.render(
            .ticketFields, model, title: renderer.text("settings", "ticket_fields", page.locale), nav: "settings",
            sub: "ticket_fields", flashKey: ShellPage.flash(request))
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await render(request, context, form: nil, error: nil)
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        do {
            let options = (form["options"] ?? "").split(whereSeparator: { $0.isNewline || $0 == "," }).map(String.init)
                .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            _ = try await fields.create(
                context.identity, key: (form["key"] ?? "").trimmingCharacters(in: .whitespaces),
                TicketFieldService.Draft(
                    name: form["name"] ?? "", kind: TicketField.Kind(rawValue: form["kind"] ?? "") ?? .text, options: options,
                    position: nil), ip: context.clientIP)
            return .redirect(to: WebPath.settingsTicketFields + "?flash=field_saved")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await render(request, context, form: form, error: text)
        }
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("ticketFieldID", as: TicketFieldID.self)
        try await fields.delete(context.identity, id, ip: context.clientIP)
        return .redirect(to: WebPath.settingsTicketFields + "?flash=field_deleted")
    }
}

extension PageModel {
    struct TicketFields {
        struct Row {
            var key: String
            var name: String
            var kind: String
            var options: String
            var deleteAction: String?
        }

        var fields: [Row]
        var kinds: [Option]
        var key: String
        var name: String
        var options: String
        var canEdit: Bool
        var error: String?
    }
}
