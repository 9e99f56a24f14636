import Foundation
import KefuCore
import KefuStore

/// The custom fields a workspace declares for its tickets (supervisors and up; audited). A field's key is fixed once
/// made: tickets and flows refer to it.
struct TicketFieldService: Sendable {
    let store: Store
    let clock: WallClock
    var audit: AuditTrail { AuditTrail(clock: clock) }

    static let maxFields = 50
    static let maxOptions = 100

    struct Draft: Sendable {
        var name: String
        var kind: TicketField.Kind
        var options: [String]
        var position: Int?
    }

    func list(_ workspace: WorkspaceID) async throws -> [TicketField] {
        try await store.scoped(to: workspace).ticketFields.all()
    }

    func create(_ actor: Identity, key: String, _ draft: Draft, ip: String?) async throws -> TicketField {
        var errors = ValidationErrors()
        if !TicketField.isValidKey(key) { errors.add("key", .pattern) }
        let (name, options) = try validated(draft, errors: errors)
        return try await store.scoped(to: actor.workspace.id).transaction { [clock, audit] data in
            let existing = try await data.ticketFields.all()
            guard existing.count < Self.maxFields else { throw ValidationErrors("key", .itemCount(min: 0, max: Self.maxFields)) }
            let field = TicketField(
                id: TicketFieldID(), workspaceID: actor.workspace.id, key: key, name: name, kind: draft.kind,
                options: options, position: draft.position ?? existing.count, createdAt: clock.now())
            try await data.ticketFields.insert(field)
            try await data.audit.append(
                audit.event(.settingsChanged, actor: actor.user, target: "ticket_field:\(key)", ip: ip, after: name))
            return field
        }
    }

    func update(_ actor: Identity, _ id: TicketFieldID, _ draft: Draft, ip: String?) async throws -> TicketField {
        let (name, options) = try validated(draft, errors: ValidationErrors())
        return try await store.scoped(to: actor.workspace.id).transaction { [audit] data in
            var field = try await data.ticketFields.field(id)
            let before = field.name
            field.name = name
            field.kind = draft.kind
            field.options = options
            field.position = draft.position ?? field.position
            try await data.ticketFields.save(field)
            try await data.audit.append(
                audit.event(
                    .settingsChanged, actor: actor.user, target: "ticket_field:\(field.key)", ip: ip, before: before,
                    after: name))
            return field
        }
    }

    func delete(_ actor: Identity, _ id: TicketFieldID, ip: String?) async throws {
        try await store.scoped(to: actor.workspace.id).transaction { [audit] data in
            let field = try await data.ticketFields.field(id)
            try await data.ticketFields.delete(id)
            try await data.audit.append(
                audit.event(.settingsChanged, actor: actor.user, target: "ticket_field:\(field.key)", ip: ip, before: "deleted"))
        }
    }

    /// The name, and the options of a `select` (1–100 distinct, non-empty, up to 100 characters each; none otherwise).
    private func validated(_ draft: Draft, errors: ValidationErrors) throws -> (String, [String]) {
        var errors = errors
        var name = draft.name
        do { name = try Validate.name(draft.name, field: "name") } catch { errors.add("name", .text) }
        var options: [String] = []
        if draft.kind == .select {
            for option in draft.options.map({ $0.trimmingCharacters(in: .whitespaces) }) where !options.contains(option) {
                if option.isEmpty || option.count > 100 || Validate.containsControlCharacters(option) {
                    errors.add("options", .pattern)
                }
                options.append(option)
            }
            if !(1...Self.maxOptions).contains(options.count) { errors.add("options", .itemCount(min: 1, max: Self.maxOptions)) }
        }
        try errors.throwIfAny()
        return (name, options)
    }
}
