import Foundation
import KefuCore
import KefuStore

/// Canned replies: the workspace's (managed by supervisors and above) and each agent's own. Listing for a
/// conversation fills the slots (`{{contact.name}}`, `{{contact.email}}`, `{{contact.phone}}`, `{{contact.<attribute>}}`,
/// `{{agent.name}}`, `{{workspace.name}}`; `{{contact.name|there}}` gives a fallback for an empty value).
struct CannedReplyService: Sendable {
    let store: Store
    let clock: WallClock
    static let maxBody = 5000

    func list(_ actor: Identity, prefix: String?, conversation: ConversationID?, conversations: ConversationService)
        async throws -> [(CannedReply, rendered: String?)]
    {
        let data = store.scoped(to: actor.workspace.id)
        let replies = try await data.cannedReplies.visible(to: actor.user.id, prefix: prefix)
        guard let conversation else { return replies.map { ($0, nil) } }
        let (_, contact, _) = try await conversations.details(actor, conversation)
        let slots = Self.slots(contact: contact, actor: actor)
        return replies.map { ($0, Self.render($0.body, slots)) }
    }

    func create(_ actor: Identity, shared: Bool, shortcut: String, body: String) async throws -> CannedReply {
        if shared, !actor.can(.manageChatSettings) { throw DomainError.forbidden(.cannotChangeConversation) }
        let shortcut = try Self.shortcut(shortcut)
        let body = try Validate.text(body, field: "body", max: Self.maxBody)
        return try await store.scoped(to: actor.workspace.id).cannedReplies.create(
            owner: shared ? nil : actor.user.id, shortcut: shortcut, body: body, at: clock.now())
    }

    func update(_ actor: Identity, _ id: CannedReplyID, shortcut: String?, body: String?) async throws -> CannedReply {
        let repository = store.scoped(to: actor.workspace.id).cannedReplies
        try await mayChange(actor, try await repository.reply(id))
        return try await repository.update(
            id, shortcut: try shortcut.map(Self.shortcut),
            body: try body.map { try Validate.text($0, field: "body", max: Self.maxBody) }, at: clock.now())
    }

    func delete(_ actor: Identity, _ id: CannedReplyID) async throws {
        let repository = store.scoped(to: actor.workspace.id).cannedReplies
        try await mayChange(actor, try await repository.reply(id))
        try await repository.delete(id)
    }

    /// Their own replies, and the workspace's with the right to manage them; another agent's are not found.
    private func mayChange(_ actor: Identity, _ reply: CannedReply) async throws {
        switch reply.ownerID {
        case actor.user.id?: return
        case nil where actor.can(.manageChatSettings): return
        case nil: throw DomainError.forbidden(.cannotChangeConversation)
        default: throw DomainError.notFound(.cannedReply)
        }
    }

    /// 1–32 letters, digits, `_` or `-`, without the leading `/`, in lower case.
    static func shortcut(_ raw: String) throws -> String {
        var value = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if value.hasPrefix("/") { value.removeFirst() }
        let allowed = value.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        guard (1...32).contains(value.count), allowed else {
            throw DomainError.invalid(ValidationErrors("shortcut", .pattern))
        }
        return value
    }

    static func slots(contact: Contact, actor: Identity) -> [String: String] {
        var slots: [String: String] = [:]
        for (key, value) in contact.attributes { slots["contact." + key] = value }
        slots["contact.name"] = contact.name ?? ""
        slots["contact.email"] = contact.email ?? ""
        slots["contact.phone"] = contact.phone ?? ""
        slots["agent.name"] = actor.user.displayName
        slots["workspace.name"] = actor.workspace.name
        return slots
    }

    /// Replaces `{{slot}}` and `{{slot|fallback}}`; unknown slots become their fallback (or nothing).
    static func render(_ body: String, _ slots: [String: String]) -> String {
        var out = ""
        var rest = Substring(body)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                rest = rest[open.lowerBound...]
                break
            }
            let inside = rest[open.upperBound..<close.lowerBound]
            let parts = inside.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            let fallback = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            let value = slots[key] ?? ""
            out += value.isEmpty ? fallback : value
            rest = rest[close.upperBound...]
        }
        return out + rest
    }
}
