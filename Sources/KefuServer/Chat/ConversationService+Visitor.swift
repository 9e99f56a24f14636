import Foundation
import KefuCore
import KefuStore
import Logging

/// The customer's side: a widget visitor identified by their signed token sees and writes only their own
/// conversations; anything else is "not found".
extension ConversationService {
    /// The visitor the widget's key and token name. Without a token a new anonymous contact is made; a token that does
    /// not verify for this workspace (forged, or another workspace's) is refused.
    func visitor(widgetKey: String, token: String?) async throws -> (visitor: Visitor, token: String) {
        guard let workspace = try await store.unscoped.workspaces.workspace(widgetKey: widgetKey) else {
            throw DomainError.notFound(.workspace)
        }
        let data = store.scoped(to: workspace.id)
        if let token, !token.isEmpty {
            guard let id = tokens.verify(token, workspace: workspace.id) else { throw DomainError.unauthenticated }
            // A merged contact answers as the one it was merged into; the widget keeps a token for that one.
            let contact = try await data.contacts.contact(id)
            // Seen at most once a minute, through the write gate like every other write of the widget's path.
            let now = clock.now()
            if now.timeIntervalSince(contact.lastSeenAt) >= 60 {
                try await data.groupedTransaction { tx in try await tx.contacts.touch(contact.id, at: now) }
            }
            return (
                Visitor(workspace: workspace, contactID: contact.id), tokens.issue(workspace: workspace.id, contact: contact.id)
            )
        }
        let contact = try await data.transaction { [clock] tx in try await tx.contacts.create(name: nil, at: clock.now()) }
        return (Visitor(workspace: workspace, contactID: contact.id), tokens.issue(workspace: workspace.id, contact: contact.id))
    }

    /// The conversation the widget resumes: the newest one that is not resolved, else the newest (for its history).
    func currentConversation(_ visitor: Visitor) async throws -> Conversation? {
        let conversations = try await store.scoped(to: visitor.workspace.id).conversations.conversations(
            ConversationFilter(contact: visitor.contactID), limit: 20)
        return conversations.first { $0.status != .resolved } ?? conversations.first
    }

    func conversation(_ visitor: Visitor, _ id: ConversationID) async throws -> Conversation {
        let conversation = try await store.scoped(to: visitor.workspace.id).conversations.conversation(id)
        guard conversation.contactID == visitor.contactID else { throw DomainError.notFound(.conversation) }
        return conversation
    }

    /// What the customer may see: no private notes.
    func messages(_ visitor: Visitor, _ id: ConversationID, after: Int64, limit: Int) async throws -> [ChatMessage] {
        _ = try await conversation(visitor, id)
        return try await store.scoped(to: visitor.workspace.id).conversations.messages(
            id, after: after, limit: min(max(limit, 1), 200), includePrivate: false)
    }

    /// The conversation core's entry for a customer's text, whatever the transport: stores it (starting a
    /// conversation when `id` is nil and none is open; a resend with the same client id is stored once), publishes
    /// and routes it, calls `acknowledge`, then gives the bot its turn when the bot holds the conversation.
    func customerSend(
        _ visitor: Visitor, _ id: ConversationID?, clientID: String, text: String, locale: ContentLocale,
        logger: Logger, acknowledge: (AppendResult) -> Void = { _ in }
    ) async throws -> AppendResult {
        let result = try await storeCustomerText(visitor, id, clientID: clientID, text: text, locale: locale)
        acknowledge(result)
        await botTurn(visitor, after: result, .text(result.message.body), logger: logger)
        return result
    }

    private func storeCustomerText(
        _ visitor: Visitor, _ id: ConversationID?, clientID: String, text: String, locale: ContentLocale
    ) async throws -> AppendResult {
        let text = try Self.messageText(text)
        let clientID = try Self.requiredClientID(clientID)
        // A named conversation is checked inside the write (it must be the visitor's), saving a read per message.
        var target = id
        if target == nil { target = try await targetConversation(visitor, nil, locale: locale).id }
        guard let target else { throw DomainError.notFound(.conversation) }
        let flags = try await words.incoming(visitor.workspace.id, text)
        let message = NewMessage(clientID: clientID, sender: .customer, body: text, flags: flags).withIndexTerms()
        // Most messages change nothing but the transcript: those take the store's quick way; the rest (a resend, a
        // conversation to reopen, not the visitor's) the general one.
        if let quick = try await store.scoped(to: visitor.workspace.id).quickAppend(
            target, message, contact: visitor.contactID, at: clock.now())
        {
            publish(visitor.workspace.id, .message(quick.message, quick.conversation))
            if quick.conversation.queuedAt != nil && quick.message.seq == 1 {
                await router.drain(visitor.workspace.id, team: quick.conversation.teamID)
            }
            return quick
        }
        return try await customerAppend(visitor, target, message, prepare: { _ in })
    }

    static func requiredClientID(_ id: String?) throws -> String {
        guard let clientID = try clientID(id) else { throw DomainError.invalid(ValidationErrors("client_id", .required)) }
        return clientID
    }

    /// Appends a customer's message after `prepare` (in the same transaction), reopening the conversation: to people
    /// if they had it, else to the bot.
    func customerAppend(
        _ visitor: Visitor, _ id: ConversationID, _ message: NewMessage,
        prepare: @escaping @Sendable (WorkspaceData) async throws -> Void
    ) async throws -> AppendResult {
        let message = message.withIndexTerms()
        let result = try await store.scoped(to: visitor.workspace.id).groupedTransaction { [clock] data in
            try await prepare(data)
            var appended = try await data.conversations.append(id, message, at: clock.now())
            // Not the visitor's: undone, and "not found" as for any conversation they cannot see.
            guard appended.conversation.contactID == visitor.contactID else { throw DomainError.notFound(.conversation) }
            guard appended.isNew else {
                try ResentUpload.check(appended, message)
                return (appended, false)
            }
            switch appended.conversation.status {
            case .pending:
                appended.conversation = try await data.conversations.update(
                    id, ConversationChange(status: .open), at: clock.now())
            case .resolved:
                let status: ConversationStatus = appended.conversation.handoff == nil ? .bot : .open
                appended.conversation = try await data.conversations.update(
                    id, ConversationChange(status: status), at: clock.now())
                if status == .open && appended.conversation.assigneeID == nil {
                    appended.conversation = try await data.routing.enqueue(id, at: clock.now())
                }
            case .bot, .open: return (appended, false)
            }
            return (appended, true)
        }
        if result.0.isNew { publish(visitor.workspace.id, .message(result.0.message, result.0.conversation)) }
        if result.1 { publish(visitor.workspace.id, .conversation(result.0.conversation)) }
        // A conversation waiting for people is routed once there is something to read: its first message, or the
        // one that brought it back.
        let conversation = result.0.conversation
        if result.0.isNew, conversation.queuedAt != nil, result.1 || result.0.message.seq == 1 {
            await router.drain(visitor.workspace.id, team: conversation.teamID)
        }
        return result.0
    }

    func targetConversation(_ visitor: Visitor, _ id: ConversationID?, locale: ContentLocale) async throws
        -> Conversation
    {
        if let id { return try await conversation(visitor, id) }
        if let current = try await currentConversation(visitor), current.status != .resolved { return current }
        let hasBot = try await bot.runtime.bot(for: visitor.workspace.id).engine != nil
        let conversation = try await store.scoped(to: visitor.workspace.id).transaction { [clock] data in
            let started = try await data.conversations.start(
                contact: visitor.contactID, status: hasBot ? .bot : .open, locale: locale,
                team: hasBot ? nil : visitor.workspace.defaultTeamID, at: clock.now())
            // Without a bot people answer from the start: it waits for an agent like a hand-off.
            return hasBot ? started : try await data.routing.enqueue(started.id, at: clock.now())
        }
        publish(visitor.workspace.id, .conversation(conversation))
        return conversation
    }

    /// What the customer gave the bot: text it answers; a file, which it cannot read, and a message left for later,
    /// both of which it hands to people (classifying what was left, so the hand-off goes to the right team).
    enum BotInput: Sendable {
        case text(String)
        case file
        case leftMessage(String)
        case askedForHuman
    }

    /// The bot's turn after a customer's new message in a conversation the bot holds; nothing otherwise.
    func botTurn(_ visitor: Visitor, after result: AppendResult, _ input: BotInput, logger: Logger) async {
        guard result.isNew, result.conversation.status == .bot else { return }
        do {
            try await runBot(visitor, conversationID: result.message.conversationID, input, logger: logger)
        } catch {
            logger.error(
                "bot turn failed", metadata: ["conversation.id": "\(result.message.conversationID)", "error": "\(error)"])
        }
    }

    /// The customer asked for a person (the widget's button). A conversation the bot holds is handed off; a resolved
    /// one goes back to people; one people already have stays as it is.
    func requestHuman(_ visitor: Visitor, _ id: ConversationID, logger: Logger) async throws {
        let current = try await conversation(visitor, id)
        switch current.status {
        case .bot: try await runBot(visitor, conversationID: id, .askedForHuman, logger: logger)
        case .resolved:
            let reopened = try await store.scoped(to: visitor.workspace.id).transaction { [clock] data in
                guard try await data.conversations.lock(id).status == .resolved else { return nil as Conversation? }
                let team = current.teamID ?? visitor.workspace.defaultTeamID
                let reopened = try await data.conversations.update(
                    id, ConversationChange(status: .open, team: .some(team)), at: clock.now())
                // Back to the agent who had it; nobody had it: it waits for one.
                return reopened.assigneeID == nil ? try await data.routing.enqueue(id, at: clock.now()) : reopened
            }
            if let reopened {
                publish(visitor.workspace.id, .conversation(reopened))
                await router.drain(visitor.workspace.id, team: reopened.teamID)
            }
        case .open, .pending: break
        }
    }

    private func runBot(_ visitor: Visitor, conversationID id: ConversationID, _ input: BotInput, logger: Logger) async throws {
        let workspace = visitor.workspace
        let data = store.scoped(to: workspace.id)
        let conversation = try await data.conversations.conversation(id)
        guard conversation.status == .bot else { return }
        let recent = try await data.conversations.messages(
            id, before: conversation.lastSeq + 1, limit: 8, includePrivate: false
        ).filter { $0.sender == .customer && $0.kind == .text }.map(\.body)
        let locale: UILocale = conversation.locale == .zhCN ? .zhCN : .en
        // The bot thinks outside the write transaction; the transaction checks that it still holds the conversation.
        let turn: BotTurn
        do {
            switch input {
            case .text(let text):
                turn = try await bot.turn(text, conversation: conversation, workspace: workspace, recent: recent, data: data)
            case .askedForHuman, .file, .leftMessage:
                let (reason, line): (String, String?) =
                    switch input {
                    case .file: ("customer_sent_file", bot.catalogues.text("chat", "file_to_person", locale))
                    case .leftMessage: ("left_message", bot.catalogues.text("chat", "left_message_received", locale))
                    default: ("customer_asked_for_human", nil)
                    }
                var said = recent
                if case .leftMessage(let text) = input, !text.isEmpty, said.last != text { said.append(text) }
                turn = try await bot.handoff(
                    try await bot.assess(said, workspace: workspace.id), reason: reason, conversation: conversation,
                    recent: said, data: data, workspace: workspace, locale: locale, line: line)
            }
        } catch {
            // A bot that cannot think must not leave the customer unanswered: people take over.
            logger.error("bot turn failed; handing off", metadata: ["conversation.id": "\(id)", "error": "\(error)"])
            turn = try await bot.handoff(
                nil, reason: "bot_error", conversation: conversation, recent: recent, data: data, workspace: workspace,
                locale: locale)
        }
        let outcome = try await data.groupedTransaction { [clock] tx -> [AppendResult]? in
            guard try await tx.conversations.lock(id).status == .bot else { return nil }
            var appended: [AppendResult] = []
            for message in turn.messages {
                appended.append(try await tx.conversations.append(id, message, at: clock.now()))
            }
            var changed = try await tx.conversations.update(id, turn.change, at: clock.now())
            if turn.handedOff { changed = try await tx.routing.enqueue(id, at: clock.now()) }
            if var last = appended.popLast() {
                last.conversation = changed
                appended.append(last)
            }
            return appended
        }
        guard let outcome else { return }
        for result in outcome { publish(workspace.id, .message(result.message, result.conversation)) }
        if let last = outcome.last { publish(workspace.id, .conversation(last.conversation)) }
        if turn.handedOff, let last = outcome.last { await router.drain(workspace.id, team: last.conversation.teamID) }
    }

    func customerRead(_ visitor: Visitor, _ id: ConversationID, seq: Int64) async throws -> Int64 {
        _ = try await conversation(visitor, id)
        let now = clock.now()
        let mark = try await store.scoped(to: visitor.workspace.id).groupedTransaction { tx in
            try await tx.conversations.markRead(id, participant: "customer", seq: seq, at: now)
        }
        publish(visitor.workspace.id, .read(id, participant: "customer", seq: mark))
        return mark
    }

    func customerTyping(_ visitor: Visitor, _ id: ConversationID, isTyping: Bool) async throws {
        _ = try await conversation(visitor, id)
        publish(visitor.workspace.id, .typing(id, from: "customer", name: nil, isTyping: isTyping))
    }
}

extension ConversationService {
    /// The widget's look: the workspace, its help-center colours, whether a bot answers first.
    /// The widget's look, whether the bot answers, and whether people answer now (the default team).
    func widgetSettings(widgetKey: String) async throws -> (Workspace, PortalSettings, Bool, TeamAvailability) {
        guard let workspace = try await store.unscoped.workspaces.workspace(widgetKey: widgetKey) else {
            throw DomainError.notFound(.workspace)
        }
        let portal = try await store.scoped(to: workspace.id).profile.portal()
        let availability = try await router.availability(workspace.id, team: workspace.defaultTeamID)
        return (workspace, portal, try await bot.runtime.bot(for: workspace.id).engine != nil, availability)
    }
}
