import Foundation
import KefuCore
import KefuStore

/// Tickets made from a chat: an agent's "make ticket" or a flow's ticket step. The ticket carries the chat's
/// customer as requester, its transcript and team; the chat gets a line the customer sees, with the ticket's number
/// and its status link (so they can follow it from the widget).
struct ConversationTickets: Sendable {
    let store: Store
    let tickets: TicketService
    let links: TicketLinks

    static let transcriptLength = 50

    /// The chat's open ticket, or a new one (`created` true). The actor must be able to see the conversation.
    func make(
        _ actor: Identity, _ conversation: Conversation, subject: String?, priority: TicketPriority?,
        conversations: ConversationService
    ) async throws -> (ticket: StoredTicket, created: Bool) {
        let data = store.scoped(to: actor.workspace.id)
        if let open = try await data.tickets.ticket(conversation: conversation.id) { return (open, false) }
        let transcript = try await self.transcript(data, conversation)
        let firstWords = transcript.firstCustomerText.map { String($0.prefix(80)) }
        let new = NewTicket(
            subject: subject.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } ?? firstWords ?? "Chat",
            body: transcript.text.isEmpty ? "—" : transcript.text, requesterID: conversation.contactID,
            priority: priority ?? conversation.priority, teamID: conversation.teamID, assigneeID: actor.user.id,
            conversationID: conversation.id, source: .chat)
        let (stored, created) = try await tickets.create(
            actor.workspace, actor: actor.user, new, idempotencyKey: nil, oncePerConversation: true)
        guard created else { return (stored, false) }
        try await announce(stored, in: conversation.id, workspace: actor.workspace, conversations: conversations)
        return (stored, true)
    }

    /// A flow's ticket step: the slots become custom fields, the chat so far the description. The caller adds the
    /// line for the customer (`line`) to the bot's turn.
    func file(
        workspace: Workspace, conversation id: ConversationID, subject: String, priority: TicketPriority,
        slots: [String: String]
    ) async throws -> StoredTicket {
        let data = store.scoped(to: workspace.id)
        let conversation = try await data.conversations.conversation(id)
        if let open = try await data.tickets.ticket(conversation: id) { return open }
        let transcript = try await self.transcript(data, conversation)
        let declared = try await data.ticketFields.all()
        let fields = slots.filter { slot in
            (try? TicketRules.customFields([slot.key: slot.value])) != nil
                && (try? TicketRules.check([slot.key: slot.value], declared: declared)) != nil
        }
        let new = NewTicket(
            subject: String(subject.prefix(TicketRules.maxSubject)), body: transcript.text.isEmpty ? subject : transcript.text,
            requesterID: conversation.contactID, priority: priority, teamID: conversation.teamID, customFields: fields,
            conversationID: id, source: .bot)
        return try await tickets.create(workspace, actor: nil, new, idempotencyKey: nil, oncePerConversation: true).ticket
    }

    /// The chat line about a ticket: its number and the requester's status link.
    func line(_ stored: StoredTicket, workspace: Workspace) -> NewMessage {
        let link = WebPath.portalTicketStatus(
            workspace.slug, links.token(stored.ticket.id, workspace: workspace.id, now: tickets.clock.now()))
        let body = ConversationBot.encode([
            "event": "ticket", "number": String(stored.ticket.number), "ticket": stored.ticket.id.description, "link": link,
        ])
        return NewMessage(clientID: nil, sender: .system, kind: .event, body: body, isPrivate: false)
    }

    private func announce(
        _ stored: StoredTicket, in id: ConversationID, workspace: Workspace, conversations: ConversationService
    ) async throws {
        _ = try await conversations.systemLine(workspace.id, id, line(stored, workspace: workspace))
    }

    /// The last messages the customer could see, oldest first, as "time who: text" lines.
    private func transcript(_ data: WorkspaceData, _ conversation: Conversation) async throws
        -> (text: String, firstCustomerText: String?)
    {
        let messages = try await data.conversations.messages(
            conversation.id, before: conversation.lastSeq + 1, limit: Self.transcriptLength, includePrivate: false)
        let sorted = messages.sorted { $0.seq < $1.seq }
        let lines = sorted.filter { $0.kind != .event }.map { message in
            "[\(ShellPage.display(message.createdAt))] \(message.sender.rawValue): \(message.body)"
        }
        let first = sorted.first { $0.sender == .customer && $0.kind == .text }?.body
        return (String(lines.joined(separator: "\n").prefix(TicketRules.maxBody)), first)
    }
}
