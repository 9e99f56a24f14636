import Foundation
import KefuCore
import KefuStore

/// Customers as agents see them: find, read with their conversations, edit the profile and custom attributes, and
/// merge two contacts that turn out to be one person (audited). An agent whose role does not see every conversation
/// sees only contacts with a conversation they may see (others are "not found"), and only supervisors and up merge:
/// a merge hands one contact's widget sessions the other's conversations.
struct ContactService: Sendable {
    let store: Store
    let clock: WallClock
    var audit: AuditTrail { AuditTrail(clock: clock) }
    static let maxAttributes = 50

    func list(_ actor: Identity, matching: String?, before: Date?, limit: Int) async throws -> [Contact] {
        let query = matching?.trimmingCharacters(in: .whitespaces)
        if let query, query.count > 100 { throw DomainError.invalid(ValidationErrors("q", .length(min: 0, max: 100))) }
        let data = store.scoped(to: actor.workspace.id)
        return try await data.contacts.recent(
            matching: query, before: before, visibleTo: try await actor.visibility(data), limit: min(max(limit, 1), 100))
    }

    /// The contact and the conversations of theirs the agent may see, newest first.
    func contact(_ actor: Identity, _ id: ContactID) async throws -> (Contact, [Conversation]) {
        let data = store.scoped(to: actor.workspace.id)
        let contact = try await data.contacts.contact(id)
        let visibility = try await actor.visibility(data)
        let conversations = try await visibleConversations(actor, contact, data: data, teams: visibility.teams ?? [])
        guard try await Self.sees(contact.id, visibility, conversations: conversations, data: data) else {
            throw DomainError.notFound(.contact)
        }
        return (contact, conversations)
    }

    /// A contact is visible with any conversation or ticket of theirs the reader sees.
    static func sees(
        _ contact: ContactID, _ visibility: ConversationVisibility, conversations: [Conversation]? = nil, data: WorkspaceData
    ) async throws -> Bool {
        if visibility.seesEverything { return true }
        if let conversations, !conversations.isEmpty { return true }
        if conversations == nil,
            try await data.conversations.conversations(ConversationFilter(contact: contact), limit: 100)
                .contains(where: { visibility.sees(team: $0.teamID, assignee: $0.assigneeID) })
        {
            return true
        }
        return try await data.tickets.count(TicketFilter(requesterID: contact), me: nil, visibleTo: visibility) > 0
    }

    private func visibleConversations(_ actor: Identity, _ contact: Contact, data: WorkspaceData, teams: [TeamID])
        async throws -> [Conversation]
    {
        var visible: [Conversation] = []
        for conversation in try await data.conversations.conversations(ConversationFilter(contact: contact.id), limit: 100)
        where try await ConversationService.mayView(actor, conversation, teams: { teams }) {
            visible.append(conversation)
        }
        return visible
    }

    func update(_ actor: Identity, _ id: ContactID, _ change: ContactChange) async throws -> Contact {
        var change = change
        var issues = ValidationErrors()
        if let name = change.name, !name.isEmpty {
            do { change.name = try Validate.name(name, field: "name") } catch { issues.add("name", .length(min: 1, max: 100)) }
        }
        if let email = change.email, !email.isEmpty, !Validate.email(email) { issues.add("email", .email) }
        if let phone = change.phone, !phone.isEmpty, !Self.isPhone(phone) { issues.add("phone", .pattern) }
        for (key, value) in change.attributes {
            let keyOK = (1...40).contains(key.count) && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            if !keyOK { issues.add("attributes", .pattern) }
            if value.count > 500 || Validate.containsControlCharacters(value) {
                issues.add("attributes", .length(min: 0, max: 500))
            }
        }
        guard issues.isEmpty else { throw DomainError.invalid(issues) }
        _ = try await contact(actor, id)
        let now = clock.now()
        let checked = change
        return try await store.scoped(to: actor.workspace.id).transaction { data in
            let current = try await data.contacts.contact(id)
            let keys = Set(current.attributes.keys).union(checked.attributes.filter { !$0.value.isEmpty }.keys)
            guard keys.count <= Self.maxAttributes else {
                throw DomainError.invalid(ValidationErrors("attributes", .itemCount(min: 0, max: Self.maxAttributes)))
            }
            return try await data.contacts.update(id, checked, at: now)
        }
    }

    /// Merges `source` into `target`: its conversations, e-mail, phone and attributes move over (the target's values
    /// win); `source` then answers as `target`.
    func merge(_ actor: Identity, _ source: ContactID, into target: ContactID, ip: String?) async throws -> Contact {
        guard actor.can(.viewAllConversations) else { throw DomainError.forbidden(.cannotChangeConversation) }
        return try await store.scoped(to: actor.workspace.id).transaction { [audit, clock] data in
            let from = try await data.contacts.contact(source)
            let into = try await data.contacts.contact(target)
            guard from.id != into.id else { throw DomainError.conflict(.sameContact) }
            let merged = try await data.contacts.merge(from.id, into: into.id, at: clock.now())
            try await data.audit.append(
                audit.event(
                    .contactMerged, actor: actor.user, target: "contact:\(into.id)", ip: ip,
                    before: AuditTrail.json(["source": from.id.description, "target": into.id.description]),
                    after: AuditTrail.json(["contact": merged.id.description])))
            return merged
        }
    }

    /// Digits with an optional leading `+` and spaces, dashes or brackets between: 5–20 digits.
    static func isPhone(_ value: String) -> Bool {
        let digits = value.filter(\.isASCII).filter(\.isNumber).count
        let allowed = value.enumerated().allSatisfy { index, c in
            (c.isASCII && c.isNumber) || " -()".contains(c) || (c == "+" && index == 0)
        }
        return allowed && (5...20).contains(digits)
    }
}
