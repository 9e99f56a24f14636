import Foundation
import Hummingbird
import KefuCore
import KefuStore

/// One ticket for agents: its properties (status, priority, type, assignee, team, tags, fields), its SLA clocks, the
/// whole history with public replies and internal notes, the reply box and merging into another ticket.
extension TicketPages {
    func renderTicket(
        _ request: Request, _ context: AuthenticatedContext, _ id: TicketID, error: String? = nil
    ) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let labels = Labels(renderer: renderer, locale: page.locale)
        let workspace = context.identity.workspace
        let stored = try await tickets.ticket(context.identity, id)
        let ticket = stored.ticket
        let (requester, events, authors) = try await tickets.context(workspace.id, stored, includeNotes: true)
        let people = try await tickets.people(workspace.id)
        var names = authors
        for member in people.members { names[member.user.id] = member.user.displayName }
        let teamNames = Dictionary(people.teams.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var merged: StoredTicket?
        if let into = ticket.mergedIntoID {
            // A ticket merged into one the member may not see shows no link; any other failure is an error.
            do { merged = try await tickets.ticket(context.identity, into) } catch DomainError.notFound {}
        }
        let now = tickets.clock.now()
        let declared = try await tickets.declaredFields(workspace.id)
        let declaredKeys = Set(declared.map(\.key))
        let name = requester?.name.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        let model = PageModel.TicketDetail(
            id: ticket.id.description, number: ticket.number, subject: ticket.subject,
            requester: name ?? requester?.email ?? "—", requesterEmail: name == nil ? nil : requester?.email,
            source: labels.source(ticket.source), created: ShellPage.short(ticket.createdAt),
            conversation: ticket.conversationID.map { WebPath.app + "#" + $0.description },
            mergedInto: merged.map { "#\($0.ticket.number)" },
            statuses: labels.statuses(selected: ticket.status), priorities: labels.priorities(selected: ticket.priority),
            types: [.init(value: "", label: "—", selected: ticket.type == nil)]
                + TicketType.allCases.map { .init(value: $0.rawValue, label: labels.type($0), selected: $0 == ticket.type) },
            assignees: [
                .init(
                    value: "", label: renderer.text("tickets", "assignee_none", page.locale), selected: ticket.assigneeID == nil)
            ]
                + people.members.map {
                    .init(value: $0.user.id.description, label: $0.user.displayName, selected: $0.user.id == ticket.assigneeID)
                },
            teams: [.init(value: "", label: "—", selected: ticket.teamID == nil)]
                + people.teams.map { .init(value: $0.id.description, label: $0.name, selected: $0.id == ticket.teamID) },
            tags: ticket.tags.joined(separator: ", "),
            declared: declared.map { Self.declaredField($0, value: ticket.customFields[$0.key] ?? "", labels) },
            fieldsText: ticket.customFields.filter { !declaredKeys.contains($0.key) }.sorted { $0.key < $1.key }
                .map { $0.key + ": " + $0.value }.joined(separator: "\n"),
            clocks: stored.timers.map { clock(labels, $0, now: now) },
            events: events.map { event(labels, $0, names: names, teams: teamNames) },
            updateAction: WebPath.ticket(id), commentAction: WebPath.ticketComment(id), mergeAction: WebPath.ticketMerge(id),
            closed: ticket.status == .closed,
            portalLink: WebPath.portalTicketStatus(
                workspace.slug, links.token(id, workspace: workspace.id, now: tickets.clock.now())),
            error: error)
        return page.render(
            .ticket, model, title: "#\(ticket.number) " + ticket.subject, nav: "tickets", flashKey: ShellPage.flash(request))
    }

    private func clock(_ labels: Labels, _ timer: SLATimer, now: Date) -> PageModel.TicketDetail.Clock {
        let state: String
        if timer.breachedAt != nil {
            state = renderer.text("sla_state", "breached", labels.locale)
        } else if timer.state == .stopped {
            state = renderer.text("sla_state", "met", labels.locale)
        } else if timer.state == .paused {
            state = renderer.text("sla_state", "paused", labels.locale)
        } else if timer.warnedAt != nil {
            state = renderer.text("sla_state", "at_risk", labels.locale)
        } else {
            state = renderer.text("sla_state", "running", labels.locale)
        }
        return .init(
            metric: labels.metric(timer.metric), target: Self.minutes(timer.targetSeconds / 60),
            due: timer.state == .stopped ? nil : timer.dueAt.map { ShellPage.short($0) }, state: state,
            met: timer.state == .stopped && timer.breachedAt == nil, breached: timer.breachedAt != nil,
            warned: timer.warnedAt != nil && timer.breachedAt == nil && timer.state == .running)
    }

    static func declaredField(_ field: TicketField, value: String, _ labels: Labels) -> PageModel.TicketDetail.DeclaredField {
        let choices: [(String, String)]
        switch field.kind {
        case .select: choices = field.options.map { ($0, $0) }
        case .checkbox:
            choices = [
                ("true", labels.renderer.text("tickets", "yes", labels.locale)),
                ("false", labels.renderer.text("tickets", "no", labels.locale)),
            ]
        case .text, .number, .date: choices = []
        }
        let isChoice = field.kind == .select || field.kind == .checkbox
        return .init(
            key: field.key, name: field.name, value: value, inputType: isChoice ? nil : field.kind.rawValue,
            options: isChoice
                ? [.init(value: "", label: "—", selected: value.isEmpty)]
                    + choices.map { .init(value: $0.0, label: $0.1, selected: $0.0 == value) } : [])
    }

    static func minutes(_ total: Int) -> String {
        if total % 1440 == 0 { return "\(total / 1440) d" }
        if total % 60 == 0 { return "\(total / 60) h" }
        return total >= 60 ? "\(total / 60) h \(total % 60) min" : "\(total) min"
    }

    private func event(
        _ labels: Labels, _ event: TicketEvent, names: [UserID: String], teams: [TeamID: String]
    ) -> PageModel.TicketDetail.Event {
        let locale = labels.locale
        let who: String =
            switch event.author {
            case .agent: event.authorID.flatMap { names[$0] } ?? renderer.text("tickets", "agent", locale)
            case .requester: renderer.text("tickets", "requester", locale)
            case .bot: renderer.text("tickets", "bot", locale)
            case .system: renderer.text("tickets", "system", locale)
            }
        func value(_ raw: String?) -> String {
            guard let raw, !raw.isEmpty else { return "—" }
            switch event.kind {
            case .status: return TicketStatus(rawValue: raw).map(labels.status) ?? raw
            case .priority: return TicketPriority(rawValue: raw).map(labels.priority) ?? raw
            case .type: return TicketType(rawValue: raw).map(labels.type) ?? raw
            case .assignee: return UserID(raw).flatMap { names[$0] } ?? raw
            case .team: return TeamID(raw).flatMap { teams[$0] } ?? raw
            default: return raw
            }
        }
        var change: String?
        switch event.kind {
        case .status, .priority, .type, .assignee, .team, .subject, .tags:
            change = value(event.details["from"]) + " → " + value(event.details["to"])
        case .fields:
            change = event.details.sorted { $0.key < $1.key }.map { $0.key + ": " + $0.value }.joined(separator: ", ")
        case .merged:
            change = event.details["into"].map { "→ #" + $0 }
        case .mergedFrom:
            change = event.details["from"].map { "#" + $0 + " →" }
        case .slaWarning, .slaBreach:
            change = event.details["metric"].flatMap { SLAMetric(rawValue: $0) }.map(labels.metric)
        case .created:
            change = event.details["source"].flatMap { TicketSource(rawValue: $0) }.map(labels.source)
        case .reply, .note:
            change = nil
        }
        return .init(
            kind: renderer.text("ticket_event", event.kind.rawValue, locale), who: who,
            when: ShellPage.short(event.createdAt), body: event.body, change: change, isNote: event.kind == .note,
            isRequester: event.author == .requester, isAlert: event.kind == .slaWarning || event.kind == .slaBreach)
    }

    @Sendable func show(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await renderTicket(request, context, try context.parameters.require("ticketID", as: TicketID.self))
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("ticketID", as: TicketID.self)
        let form = try await FormData.read(request, context)
        do {
            var change = try Self.change(form)
            // The form shows every value: a line taken out of the free-text box clears that field.
            if form["custom_fields"] != nil {
                let current = try await tickets.ticket(context.identity, id).ticket.customFields
                for key in current.keys where change.customFields?[key] == nil { change.customFields?[key] = "" }
            }
            _ = try await tickets.update(context.identity, id, change)
            return .redirect(to: WebPath.ticket(id) + "?flash=ticket_saved")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await renderTicket(request, context, id, error: text)
        }
    }

    /// The properties form as a change: every field is sent, the service records only what differs.
    static func change(_ form: FormData) throws -> TicketChange {
        var change = TicketChange()
        var errors = ValidationErrors()
        if let raw = form["status"] {
            if let status = TicketStatus(rawValue: raw) { change.status = status } else { errors.add("status", .pattern) }
        }
        if let raw = form["priority"] {
            if let priority = TicketPriority(rawValue: raw) {
                change.priority = priority
            } else {
                errors.add("priority", .pattern)
            }
        }
        if let raw = form["type"] {
            if raw.isEmpty {
                change.type = .some(nil)
            } else if let type = TicketType(rawValue: raw) {
                change.type = .some(type)
            } else {
                errors.add("type", .pattern)
            }
        }
        if let raw = form["assignee_id"] {
            if raw.isEmpty {
                change.assigneeID = .some(nil)
            } else if let id = UserID(raw) {
                change.assigneeID = .some(id)
            } else {
                errors.add("assignee_id", .uuid)
            }
        }
        if let raw = form["team_id"] {
            if raw.isEmpty {
                change.teamID = .some(nil)
            } else if let id = TeamID(raw) {
                change.teamID = .some(id)
            } else {
                errors.add("team_id", .uuid)
            }
        }
        if let raw = form["tags"] {
            change.tags = raw.split(whereSeparator: { $0 == "," || $0.isNewline }).map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
        }
        if let raw = form["custom_fields"] {
            var fields: [String: String] = [:]
            for line in raw.split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let colon = line.firstIndex(of: ":") else {
                    errors.add("custom_fields", .pattern)
                    continue
                }
                fields[line[..<colon].trimmingCharacters(in: .whitespaces)] =
                    line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            change.customFields = fields
        }
        // Declared fields arrive one input each (`field_<key>`); an emptied one clears the value.
        for key in form.keys where key.hasPrefix("field_") {
            change.customFields = change.customFields ?? [:]
            change.customFields?[String(key.dropFirst("field_".count))] = form[key] ?? ""
        }
        try errors.throwIfAny()
        return change
    }

    @Sendable func comment(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("ticketID", as: TicketID.self)
        let form = try await FormData.read(request, context)
        do {
            let isPublic = form["visibility"] != "note"
            _ = try await tickets.comment(context.identity, id, body: form["body"] ?? "", isPublic: isPublic)
            if let raw = form["then_status"], let status = TicketStatus(rawValue: raw) {
                var change = TicketChange()
                change.status = status
                _ = try await tickets.update(context.identity, id, change)
            }
            return .redirect(to: WebPath.ticket(id) + "?flash=" + (isPublic ? "reply_sent" : "note_added"))
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await renderTicket(request, context, id, error: text)
        }
    }

    @Sendable func merge(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("ticketID", as: TicketID.self)
        let form = try await FormData.read(request, context)
        do {
            guard let number = Self.ticketNumber(form["into"]),
                let target = try await tickets.ticket(context.identity, number: number)
            else { throw ValidationErrors("into", .pattern) }
            _ = try await tickets.merge(context.identity, id, into: target.ticket.id)
            return .redirect(to: WebPath.ticket(target.ticket.id) + "?flash=ticket_merged")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await renderTicket(request, context, id, error: text)
        }
    }
}

extension Optional {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
