import Foundation
import KefuCore
import KefuStore

/// Live chat for agents: inboxes, reading and writing conversations, taking, resolving and reopening them. Every
/// stored message and state change is published as a `ChatEvent`; sockets on every instance hear it.
public struct ConversationService: Sendable {
    let store: Store
    let clock: WallClock
    let events: any EventBus
    let bot: ConversationBot
    let tokens: VisitorTokens
    let files: AttachmentFiles
    let words: SensitiveWordFilter
    let router: ChatRouter
    /// Replies to a customer who left an e-mail address also go out by e-mail.
    let mail: OutgoingMail
    let deliveries: JobWakeUp
    static let maxTextLength = 5000
    static let pageSize = 50

    /// The conversations an agent's view lists, newest activity first, with their contacts.
    func inbox(_ actor: Identity, view: InboxView, statuses: [ConversationStatus], before: Date?, limit: Int)
        async throws -> [(Conversation, Contact?)]
    {
        let data = store.scoped(to: actor.workspace.id)
        var filter = ConversationFilter(statuses: statuses, before: before)
        let teams = actor.can(.viewAllConversations) ? nil : try await data.teams.teams(of: actor.user.id)
        switch view {
        case .mine: filter.assignee = actor.user.id
        case .unassigned:
            filter.unassignedOnly = true
            filter.teams = teams
        case .team:
            filter.teams = try await data.teams.teams(of: actor.user.id)
        case .all:
            guard actor.can(.viewAllConversations) else {
                filter.teams = teams
                break
            }
        }
        if filter.statuses.isEmpty { filter.statuses = [.open, .pending] }
        let conversations = try await data.conversations.conversations(filter, limit: min(max(limit, 1), 100))
        let contacts = try await data.contacts.contacts(ids: conversations.map(\.contactID))
        return conversations.map { ($0, contacts[$0.contactID]) }
    }

    /// How many conversations each view holds right now (open and pending).
    func counts(_ actor: Identity) async throws -> [InboxView: Int] {
        let data = store.scoped(to: actor.workspace.id)
        let mine = try await data.teams.teams(of: actor.user.id)
        let teams = actor.can(.viewAllConversations) ? nil : mine
        let active: [ConversationStatus] = [.open, .pending]
        return [
            .mine: try await data.conversations.count(ConversationFilter(statuses: active, assignee: actor.user.id)),
            .unassigned: try await data.conversations.count(
                ConversationFilter(statuses: active, unassignedOnly: true, teams: teams)),
            .team: try await data.conversations.count(ConversationFilter(statuses: active, teams: mine)),
            .all: try await data.conversations.count(ConversationFilter(statuses: active, teams: teams)),
        ]
    }

    /// The conversation if the agent may see it: their own, unassigned to a team, in one of their teams, or any when
    /// their role sees all. Anything else is "not found", never "forbidden": its existence is not revealed.
    func conversation(_ actor: Identity, _ id: ConversationID) async throws -> Conversation {
        let data = store.scoped(to: actor.workspace.id)
        let conversation = try await data.conversations.conversation(id)
        guard try await Self.mayView(actor, conversation, teams: { try await data.teams.teams(of: actor.user.id) }) else {
            throw DomainError.notFound(.conversation)
        }
        return conversation
    }

    static func mayView(_ actor: Identity, _ conversation: Conversation, teams: () async throws -> [TeamID]) async throws
        -> Bool
    {
        if actor.can(.viewAllConversations) || conversation.assigneeID == actor.user.id || conversation.teamID == nil {
            return true
        }
        return ConversationVisibility(teams: try await teams(), user: actor.user.id)
            .sees(team: conversation.teamID, assignee: conversation.assigneeID)
    }

    func details(_ actor: Identity, _ id: ConversationID) async throws -> (Conversation, Contact, [String: Int64]) {
        let conversation = try await conversation(actor, id)
        let data = store.scoped(to: actor.workspace.id)
        return (
            conversation, try await data.contacts.contact(conversation.contactID),
            try await data.conversations.readMarks(id)
        )
    }

    /// Messages after `after` (oldest first) or, with `before`, the page before it; agents see private notes.
    func messages(_ actor: Identity, _ id: ConversationID, after: Int64?, before: Int64?, limit: Int) async throws
        -> [ChatMessage]
    {
        _ = try await conversation(actor, id)
        let repository = store.scoped(to: actor.workspace.id).conversations
        let limit = min(max(limit, 1), 200)
        if let before { return try await repository.messages(id, before: before, limit: limit, includePrivate: true) }
        return try await repository.messages(id, after: after ?? 0, limit: limit, includePrivate: true)
    }

    /// An agent's reply or private note. A reply to a conversation the bot still holds takes it over: the bot stays
    /// silent from then on.
    func send(_ actor: Identity, _ id: ConversationID, clientID: String?, text: String, isPrivate: Bool) async throws
        -> AppendResult
    {
        var text = try Self.messageText(text)
        let clientID = try Self.clientID(clientID)
        _ = try await conversation(actor, id)
        var flags: [String] = []
        if !isPrivate { (text, flags) = try await words.outgoing(actor.workspace.id, text) }
        let message = NewMessage(
            clientID: clientID, sender: .agent, senderID: actor.user.id, body: text, isPrivate: isPrivate, flags: flags
        ).withIndexTerms()
        if let quick = try await store.scoped(to: actor.workspace.id).quickAppend(id, message, contact: nil, at: clock.now()) {
            publish(actor.workspace.id, .message(quick.message, quick.conversation))
            return quick
        }
        let result = try await store.scoped(to: actor.workspace.id).groupedTransaction { [clock, mail] data in
            if try await data.conversations.lock(id).status == .resolved && !isPrivate {
                throw DomainError.conflict(.conversationClosed)
            }
            var appended = try await data.conversations.append(id, message, at: clock.now())
            if appended.isNew && !isPrivate, let address = appended.conversation.replyTo {
                try await mail.conversationReply(
                    data, appended.message, conversation: appended.conversation, to: address, workspace: actor.workspace,
                    agent: actor.user.displayName)
            }
            let takesOver = appended.isNew && !isPrivate && appended.conversation.status == .bot
            if takesOver {
                appended.conversation = try await data.conversations.update(
                    id, ConversationChange(status: .open, assignee: .some(actor.user.id)), at: clock.now())
            }
            return (appended, takesOver)
        }
        if result.0.isNew { publish(actor.workspace.id, .message(result.0.message, result.0.conversation)) }
        if result.0.isNew && result.0.conversation.replyTo != nil && !isPrivate { await deliveries.signal() }
        if result.1 { publish(actor.workspace.id, .conversation(result.0.conversation)) }
        return result.0
    }

    /// Takes an unassigned conversation (or one the bot holds) for the acting agent.
    func take(_ actor: Identity, _ id: ConversationID) async throws -> Conversation {
        let before = try await conversation(actor, id)
        let taken = try await change(actor.workspace.id, id, event: ("assigned", actor.user.displayName)) { data, now in
            var taken = try await data.conversations.claim(id, for: actor.user.id, at: now)
            if taken.status != .open {
                taken = try await data.conversations.update(id, ConversationChange(status: .open), at: now)
            }
            return taken
        }
        if before.queuedAt != nil { await leftQueue(actor.workspace.id, taken) }
        return taken
    }

    /// A conversation someone took out of its queue: its customer stops waiting, those behind move up.
    func leftQueue(_ workspace: WorkspaceID, _ conversation: Conversation) async {
        events.publish(.chat(workspace, .queue(conversation.id, nil)))
        await router.drain(workspace, team: conversation.teamID)
    }

    /// Assigns to a member of the workspace (or unassigns with nil); supervisors and up, or an agent handing their
    /// own conversation on. A transfer's `note` is stored as the actor's private note, before the "assigned" line.
    func assign(_ actor: Identity, _ id: ConversationID, to assignee: UserID?, team: TeamID??, note: String? = nil)
        async throws -> Conversation
    {
        var notes: [NewMessage] = []
        if let note, !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let text = try Validate.text(note, field: "note", max: Self.maxTextLength)
            notes.append(NewMessage(clientID: nil, sender: .agent, senderID: actor.user.id, body: text, isPrivate: true))
        }
        let current = try await conversation(actor, id)
        guard actor.can(.viewAllConversations) || current.assigneeID == actor.user.id else {
            throw DomainError.forbidden(.cannotChangeConversation)
        }
        let data = store.scoped(to: actor.workspace.id)
        var name: String?
        if let assignee {
            guard let member = try await data.members.membership(userID: assignee) else {
                throw DomainError.notFound(.member)
            }
            name = member.user.displayName
        }
        if let team, let team, !(try await data.teams.list().contains { $0.id == team }) {
            throw DomainError.notFound(.team)
        }
        let status: ConversationStatus? = current.status == .bot || current.status == .resolved ? .open : nil
        let event = name.map { ("assigned", $0) } ?? ("unassigned", "")
        let changed = try await change(actor.workspace.id, id, event: event, before: notes) { data, now in
            let changed = try await data.conversations.update(
                id, ConversationChange(status: status, assignee: .some(assignee), team: team), at: now)
            // Handed back to nobody (or to a team): routing finds someone, or it waits in line.
            return assignee == nil ? try await data.routing.enqueue(id, at: now) : changed
        }
        // A seat may have freed (the previous assignee's) and the conversation may wait: route both.
        if assignee != nil && current.queuedAt != nil { events.publish(.chat(actor.workspace.id, .queue(id, nil))) }
        await router.drainAll(actor.workspace.id)
        return assignee == nil ? try await store.scoped(to: actor.workspace.id).conversations.conversation(id) : changed
    }

    func resolve(_ actor: Identity, _ id: ConversationID) async throws -> Conversation {
        _ = try await conversation(actor, id)
        let resolved = try await change(actor.workspace.id, id, event: ("resolved", actor.user.displayName)) { data, now in
            try await data.conversations.update(id, ConversationChange(status: .resolved, botState: .some(nil)), at: now)
        }
        events.publish(.chat(actor.workspace.id, .queue(id, nil)))
        await router.drainAll(actor.workspace.id)
        return resolved
    }

    func reopen(_ actor: Identity, _ id: ConversationID) async throws -> Conversation {
        _ = try await conversation(actor, id)
        return try await change(actor.workspace.id, id, event: ("reopened", actor.user.displayName)) { data, now in
            try await data.conversations.update(id, ConversationChange(status: .open), at: now)
        }
    }

    func markRead(_ actor: Identity, _ id: ConversationID, seq: Int64) async throws -> Int64 {
        _ = try await conversation(actor, id)
        let participant = "agent:" + actor.user.id.description
        let now = clock.now()
        let mark = try await store.scoped(to: actor.workspace.id).groupedTransaction { tx in
            try await tx.conversations.markRead(id, participant: participant, seq: seq, at: now)
        }
        publish(actor.workspace.id, .read(id, participant: participant, seq: mark))
        return mark
    }

    func typing(_ actor: Identity, _ id: ConversationID, isTyping: Bool) async throws {
        _ = try await conversation(actor, id)
        publish(
            actor.workspace.id,
            .typing(id, from: "agent:" + actor.user.id.description, name: actor.user.displayName, isTyping: isTyping))
    }

    /// Applies a state change with its status line in the transcript, in one transaction, and publishes both.
    /// Runs `body`, then appends `before` (e.g. a transfer's private note) and the event line, in one transaction.
    func change(
        _ workspace: WorkspaceID, _ id: ConversationID, event: (key: String, name: String), before: [NewMessage] = [],
        _ body: @escaping @Sendable (WorkspaceData, Date) async throws -> Conversation
    ) async throws -> Conversation {
        let (conversation, lines) = try await store.scoped(to: workspace).transaction { [clock] data in
            let now = clock.now()
            _ = try await body(data, now)
            var lines: [ChatMessage] = []
            for message in before { lines.append(try await data.conversations.append(id, message, at: now).message) }
            let line = try await data.conversations.append(
                id, NewMessage(clientID: nil, sender: .system, kind: .event, body: Self.eventBody(event.key, event.name)),
                at: now)
            return (line.conversation, lines + [line.message])
        }
        for line in lines { publish(workspace, .message(line, conversation)) }
        publish(workspace, .conversation(conversation))
        return conversation
    }

    static func eventBody(_ key: String, _ name: String) -> String {
        String(decoding: (try? JSONEncoder().encode(["event": key, "name": name])) ?? Data(), as: UTF8.self)
    }

    func publish(_ workspace: WorkspaceID, _ event: ChatEvent) { events.publish(.chat(workspace, event)) }

    static func messageText(_ text: String) throws -> String {
        try Validate.text(text, field: "text", max: maxTextLength)
    }

    /// Client ids are the sender's own: 1–64 visible ASCII characters.
    static func clientID(_ id: String?) throws -> String? {
        guard let id else { return nil }
        guard (1...64).contains(id.utf8.count), id.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 }) else {
            throw DomainError.invalid(ValidationErrors("client_id", .pattern))
        }
        return id
    }
}
