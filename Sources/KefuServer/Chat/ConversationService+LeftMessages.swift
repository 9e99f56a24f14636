import Foundation
import KefuCore
import KefuStore
import Logging

/// How a customer who left a message can be reached; at least an e-mail address or a phone number.
struct LeftMessageContact: Sendable, Equatable {
    var name: String?
    var email: String?
    var phone: String?

    /// Trimmed and checked; empty fields are nil.
    func validated() throws -> LeftMessageContact {
        func clean(_ value: String?) -> String? {
            let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            return trimmed.isEmpty ? nil : trimmed
        }
        var checked = LeftMessageContact(name: clean(name), email: clean(email)?.lowercased(), phone: clean(phone))
        var issues = ValidationErrors()
        if let name = checked.name {
            do { checked.name = try Validate.name(name, field: "name") } catch { issues.add("name", .length(min: 1, max: 100)) }
        }
        if let email = checked.email, !Validate.email(email) { issues.add("email", .email) }
        if let phone = checked.phone, !ContactService.isPhone(phone) { issues.add("phone", .pattern) }
        if checked.email == nil && checked.phone == nil { issues.add("email", .required) }
        try issues.throwIfAny()
        return checked
    }
}

/// Leaving a message (留言) when nobody can answer: outside business hours, or with no agent of the team online. The
/// message stays a conversation in its team's queue for the next agent; the customer sees the reply in the widget,
/// and each public reply also waits in the outbox for their e-mail address.
extension ConversationService {
    /// Stores the customer's way back and, if given, their message; hands a conversation the bot holds to people.
    /// A resend with the same client id changes nothing.
    func leaveMessage(
        _ visitor: Visitor, _ id: ConversationID?, clientID: String, text: String, contact: LeftMessageContact,
        locale: ContentLocale, logger: Logger, acknowledge: (AppendResult) -> Void = { _ in }
    ) async throws -> AppendResult {
        let clientID = try Self.requiredClientID(clientID)
        let contact = try contact.validated()
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = trimmed.isEmpty ? nil : try Self.messageText(trimmed)
        let target = try await targetConversation(visitor, id, locale: locale)
        // A new conversation needs the message itself; an existing one already says what the customer wants.
        if text == nil && target.lastSeq == 0 { throw DomainError.invalid(ValidationErrors("text", .required)) }
        var flags: [String] = []
        if let text { flags = try await words.incoming(visitor.workspace.id, text) }
        let line = Self.leftMessageLine(contact)
        let result = try await store.scoped(to: visitor.workspace.id).transaction { [clock, flags] data in
            let now = clock.now()
            let first =
                text.map { NewMessage(clientID: clientID, sender: .customer, body: $0, flags: flags) }
                ?? NewMessage(clientID: clientID, sender: .system, kind: .event, body: line)
            let appended = try await data.conversations.append(target.id, first, at: now)
            guard appended.conversation.contactID == visitor.contactID else { throw DomainError.notFound(.conversation) }
            guard appended.isNew else { return (appended, [ChatMessage](), appended.conversation) }
            var lines = [appended.message]
            if text != nil {
                lines.append(
                    try await data.conversations.append(
                        target.id, NewMessage(clientID: nil, sender: .system, kind: .event, body: line), at: now
                    ).message)
            }
            try await Self.rememberDetails(data, visitor.contactID, contact, at: now)
            let current = appended.conversation
            var change = ConversationChange(leftMessage: true, replyTo: contact.email)
            // The bot's conversation stays the bot's until its turn below hands it over (to the team of what was left).
            if current.status != .open && current.status != .bot { change.status = .open }
            var conversation = try await data.conversations.update(target.id, change, at: now)
            if conversation.status != .bot && conversation.assigneeID == nil {
                conversation = try await data.routing.enqueue(target.id, at: now)
            }
            return (appended, lines, conversation)
        }
        let (appended, lines, conversation) = result
        guard appended.isNew else {
            acknowledge(appended)
            return appended
        }
        for line in lines { publish(visitor.workspace.id, .message(line, conversation)) }
        publish(visitor.workspace.id, .conversation(conversation))
        let stored = AppendResult(message: appended.message, conversation: conversation, isNew: true)
        acknowledge(stored)
        if conversation.status == .bot {
            await botTurn(visitor, after: stored, .leftMessage(text ?? ""), logger: logger)
        } else {
            await router.drain(visitor.workspace.id, team: conversation.teamID)
        }
        return stored
    }

    /// The event line agents see: what the customer left to reach them.
    static func leftMessageLine(_ contact: LeftMessageContact) -> String {
        var fields = ["event": "left_message"]
        fields["name"] = contact.name
        fields["email"] = contact.email
        fields["phone"] = contact.phone
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(fields)) ?? Data(), as: UTF8.self)
    }

    /// Fills the contact's empty name, e-mail and phone. An address another contact already has is not taken over
    /// (only an agent decides two contacts are one person, by merging): the event line keeps it for them.
    private static func rememberDetails(
        _ data: WorkspaceData, _ id: ContactID, _ given: LeftMessageContact, at now: Date
    ) async throws {
        let current = try await data.contacts.contact(id)
        if current.name == nil, let name = given.name {
            _ = try await data.contacts.update(id, ContactChange(name: name), at: now)
        }
        if current.email == nil, let email = given.email, try await data.contacts.contact(email: email) == nil {
            _ = try await data.contacts.update(id, ContactChange(email: email), at: now)
        }
        if current.phone == nil, let phone = given.phone, try await data.contacts.contact(phone: phone) == nil {
            _ = try await data.contacts.update(id, ContactChange(phone: phone), at: now)
        }
    }
}
