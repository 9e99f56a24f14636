import Foundation
import Hummingbird
import HummingbirdCore
import KefuCore
import KefuStore

/// The agents' ticket list: saved views with counts, filters, paging, bulk changes and a new-ticket form.
struct TicketPages {
    let tickets: TicketService
    let views: TicketViewService
    let links: TicketLinks
    let renderer: PageRenderer

    static let perPage = 25

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.tickets, .viewTickets, use: list)
        routes.on(.get, WebPath.ticketNew, .workTickets, use: newTicket)
        routes.on(.post, WebPath.ticketNew, .workTickets, use: create)
        routes.on(.post, WebPath.ticketBulk, .workTickets, use: bulk)
        routes.on(.post, WebPath.ticketViewSave, .viewTickets, use: saveView)
        routes.on(.get, WebPath.ticket, .viewTickets, use: show)
        routes.on(.post, WebPath.ticket, .workTickets, use: update)
        routes.on(.post, WebPath.ticketComment, .workTickets, use: comment)
        routes.on(.post, WebPath.ticketMerge, .workTickets, use: merge)
    }

    /// Labels of the ticket enums in the reader's language.
    struct Labels {
        let renderer: PageRenderer
        let locale: UILocale

        func status(_ status: TicketStatus) -> String { renderer.text("ticket_status", status.rawValue, locale) }
        func priority(_ priority: TicketPriority) -> String { renderer.text("ticket_priority", priority.rawValue, locale) }
        func type(_ type: TicketType) -> String { renderer.text("ticket_type", type.rawValue, locale) }
        func source(_ source: TicketSource) -> String { renderer.text("ticket_source", source.rawValue, locale) }
        func metric(_ metric: SLAMetric) -> String { renderer.text("sla_metric", metric.rawValue, locale) }

        func statuses(selected: TicketStatus?, blank: String? = nil) -> [PageModel.Option] {
            (blank.map { [PageModel.Option(value: "", label: $0, selected: selected == nil)] } ?? [])
                + TicketStatus.allCases.map { .init(value: $0.rawValue, label: status($0), selected: $0 == selected) }
        }

        func priorities(selected: TicketPriority?, blank: String? = nil) -> [PageModel.Option] {
            (blank.map { [PageModel.Option(value: "", label: $0, selected: selected == nil)] } ?? [])
                + TicketPriority.allCases.map { .init(value: $0.rawValue, label: priority($0), selected: $0 == selected) }
        }
    }

    // MARK: List

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await renderList(request, context, error: nil)
    }

    private func renderList(_ request: Request, _ context: AuthenticatedContext, error: String?) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let labels = Labels(renderer: renderer, locale: page.locale)
        let identity = context.identity
        let query = request.uri.queryParameters
        let counted = try await views.list(identity)
        let viewID = query.get("view").flatMap { TicketViewID($0) }
        var filter: TicketFilter
        var message = error
        if let viewID, let chosen = counted.first(where: { $0.0.id == viewID }) {
            filter = chosen.0.filter
        } else if query.get("view") == nil, !Self.hasFilters(query), let first = counted.first {
            filter = first.0.filter
        } else {
            do { filter = try TicketQuery.filter(query) } catch {
                message = message ?? renderer.catalogues.formMessage(error, page.locale)
                filter = TicketFilter()
            }
        }
        let activeView = viewID ?? (Self.hasFilters(query) ? nil : counted.first?.0.id)
        // "#12" or "12" in the search box opens that ticket.
        if let number = Self.ticketNumber(query.get("q")),
            let found = try await tickets.ticket(identity, number: number)
        {
            return .redirect(to: WebPath.ticket(found.ticket.id))
        }
        let pageNumber = NumberInput.page(query["page"])
        let (found, total) = try await tickets.list(identity, filter, page: pageNumber, perPage: Self.perPage)
        let requesters = try await tickets.requesters(identity.workspace.id, found)
        let people = try await tickets.people(identity.workspace.id)
        let names = Dictionary(people.members.map { ($0.user.id, $0.user.displayName) }, uniquingKeysWith: { a, _ in a })
        let now = tickets.clock.now()
        let rows = found.map { stored -> PageModel.TicketList.Row in
            let ticket = stored.ticket
            let requester = requesters[ticket.requesterID]
            return .init(
                id: ticket.id.description, number: ticket.number, subject: ticket.subject, href: WebPath.ticket(ticket.id),
                requester: requester?.name.flatMap { $0.isEmpty ? nil : $0 } ?? requester?.email ?? "—",
                status: labels.status(ticket.status),
                statusKey: ticket.status.rawValue, priority: labels.priority(ticket.priority),
                urgent: ticket.priority == .urgent || ticket.priority == .high,
                assignee: ticket.assigneeID.flatMap { names[$0] } ?? "—", sla: slaSummary(stored, now: now, page.locale),
                slaBreached: stored.slaState == .breached, updated: ShellPage.short(ticket.updatedAt))
        }
        let base = Self.pageLink(query)
        let model = PageModel.TicketList(
            views: counted.map { view, count in
                .init(
                    name: view.name, count: count, href: WebPath.tickets + "?view=" + view.id.description,
                    active: view.id == activeView, shared: view.ownerID == nil)
            }, rows: rows, total: total, query: filter.query ?? "",
            statuses: labels.statuses(selected: filter.statuses.count == 1 ? filter.statuses[0] : nil, blank: text("any", page)),
            priorities: labels.priorities(
                selected: filter.priorities.count == 1 ? filter.priorities[0] : nil, blank: text("any", page)),
            slaStates: [.init(value: "", label: text("any", page), selected: filter.sla == nil)]
                + TicketFilter.SLAState.allCases.map {
                    .init(
                        value: $0.rawValue, label: renderer.text("sla_state", $0.rawValue, page.locale),
                        selected: filter.sla == $0)
                },
            assignees: assigneeFilter(filter.assignee, people.members, page),
            filtered: activeView == nil, filterFields: Self.filterFields(query),
            canShareViews: identity.can(.manageTicketSettings), bulkStatuses: labels.statuses(selected: nil, blank: "—"),
            previous: pageNumber > 1 ? base + "page=\(pageNumber - 1)" : nil,
            next: pageNumber * Self.perPage < total ? base + "page=\(pageNumber + 1)" : nil,
            pageLabel: renderer.catalogues.text(
                "tickets", "page_of", page.locale,
                ["page": "\(pageNumber)", "pages": "\(max(1, (total + Self.perPage - 1) / Self.perPage))", "total": "\(total)"]),
            error: message)
        return page.render(
            .tickets, model, title: renderer.text("nav", "tickets", page.locale), nav: "tickets",
            flashKey: ShellPage.flash(request))
    }

    private func text(_ key: String, _ page: ShellPage) -> String { renderer.text("tickets", key, page.locale) }

    private func assigneeFilter(_ current: TicketFilter.Assignee?, _ members: [Membership], _ page: ShellPage)
        -> [PageModel.Option]
    {
        [
            .init(value: "", label: text("any", page), selected: current == nil),
            .init(value: "me", label: text("assignee_me", page), selected: current == .me),
            .init(value: "none", label: text("assignee_none", page), selected: current == .nobody),
        ]
            + members.map {
                .init(value: $0.user.id.description, label: $0.user.displayName, selected: current == .user($0.user.id))
            }
    }

    /// "Breached", "Due 2026-11-24 10:00", or nil when no clock runs.
    private func slaSummary(_ stored: StoredTicket, now: Date, _ locale: UILocale) -> String? {
        if stored.slaState == .breached { return renderer.text("sla_state", "breached", locale) }
        guard let due = stored.timers.filter({ $0.state == .running }).compactMap(\.dueAt).min() else { return nil }
        let key = stored.slaState == .atRisk ? "due_soon" : "due"
        return renderer.catalogues.text("tickets", key, locale, ["time": ShellPage.short(due)])
    }

    static let filterKeys = ["status", "priority", "assignee", "team", "sla", "tag", "q"]

    static func hasFilters(_ query: FlatDictionary<Substring, Substring>) -> Bool {
        filterKeys.contains { !(query.get($0) ?? "").isEmpty }
    }

    static func filterFields(_ query: FlatDictionary<Substring, Substring>) -> [PageModel.Option] {
        filterKeys.compactMap { key in
            guard let value = query.get(key), !value.isEmpty else { return nil }
            return PageModel.Option(value: value, label: key, selected: false)
        }
    }

    /// The list's URL with its view or filters, ready for `page=`.
    static func pageLink(_ query: FlatDictionary<Substring, Substring>) -> String {
        var items = [URLQueryItem]()
        if let view = query.get("view") { items.append(.init(name: "view", value: view)) }
        for key in filterKeys { if let value = query.get(key), !value.isEmpty { items.append(.init(name: key, value: value)) } }
        var components = URLComponents()
        components.queryItems = items
        let encoded = components.percentEncodedQuery ?? ""
        return WebPath.tickets + "?" + (encoded.isEmpty ? "" : encoded + "&")
    }

    static func ticketNumber(_ text: String?) -> Int? {
        guard var text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if text.hasPrefix("#") { text.removeFirst() }
        return NumberInput.int(text, in: NumberInput.ticketNumber)
    }

    // MARK: Save a view, bulk change

    @Sendable func saveView(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        var query = FlatDictionary<Substring, Substring>()
        for key in Self.filterKeys {
            if let value = form[key], !value.isEmpty { query.append(key: Substring(key), value: Substring(value)) }
        }
        do {
            let view = try await views.create(
                context.identity, name: form["name"] ?? "", shared: form["shared"] == "on", filter: try TicketQuery.filter(query))
            return .redirect(to: WebPath.tickets + "?view=" + view.id.description + "&flash=view_saved")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await renderList(request, context, error: text)
        }
    }

    @Sendable func bulk(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        let ids = form.all("ids").compactMap { TicketID($0) }
        var change = TicketChange()
        change.status = form["status"].flatMap { TicketStatus(rawValue: $0) }
        if form["assign_me"] == "on" { change.assigneeID = .some(context.identity.user.id) }
        let back = form["back"].flatMap { $0.hasPrefix(WebPath.tickets) ? $0 : nil } ?? WebPath.tickets
        guard !ids.isEmpty, !change.isEmpty else { return .redirect(to: back) }
        do {
            _ = try await tickets.bulkUpdate(context.identity, ids, change)
            return .redirect(to: back + (back.contains("?") ? "&" : "?") + "flash=tickets_updated")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await renderList(request, context, error: text)
        }
    }

    // MARK: New ticket

    private func renderNew(
        _ request: Request, _ context: AuthenticatedContext, _ form: FormData?, error: String?
    ) -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let labels = Labels(renderer: renderer, locale: page.locale)
        let model = PageModel.TicketNew(
            subject: form?["subject"] ?? "", body: form?["body"] ?? "", email: form?["requester_email"] ?? "",
            name: form?["requester_name"] ?? "",
            priorities: labels.priorities(selected: form?["priority"].flatMap { TicketPriority(rawValue: $0) } ?? .normal),
            error: error)
        return page.render(.ticketNew, model, title: text("new", page), nav: "tickets")
    }

    @Sendable func newTicket(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        renderNew(request, context, nil, error: nil)
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        let name = (form["requester_name"] ?? "").trimmingCharacters(in: .whitespaces)
        let new = NewTicket(
            subject: form["subject"] ?? "", body: form["body"] ?? "", requesterEmail: form["requester_email"] ?? "",
            requesterName: name.isEmpty ? nil : name, requesterID: nil,
            priority: form["priority"].flatMap { TicketPriority(rawValue: $0) } ?? .normal, source: .agent)
        do {
            let identity = context.identity
            let (stored, _) = try await tickets.create(
                identity.workspace, actor: identity.user, new, idempotencyKey: form["idempotency_key"],
                visibleTo: try await tickets.visibility(identity))
            return .redirect(to: WebPath.ticket(stored.ticket.id) + "?flash=ticket_created")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return renderNew(request, context, form, error: text)
        }
    }
}
