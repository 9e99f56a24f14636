import Foundation
import KefuCore
import KefuStore
import Synchronization

/// The events one socket is waiting to send, bounded: a socket that falls this far behind is closed (the client
/// reconnects and reads what it missed by sequence number), so a slow consumer never holds up the others.
final class ChatOutbox: Sendable {
    enum Item: Sendable {
        case event(SharedFrames)
        /// A reply to this socket's own frame (an ack, an error, a welcome).
        case frame(String)
        /// Send the conversation's messages after this sequence number, then its live events.
        case sync(ConversationID, after: Int64)
        /// The socket stopped watching the conversation: forget what was sent, so a later `sync` starts afresh.
        case forget(ConversationID)
        /// Check the agent's credential and teams again: who may see what in the workspace changed.
        case recheck
        /// Send the conversation's state as it is latest (see `pushState`).
        case state(ConversationID)
        /// Events may have been missed: read every watched conversation's gap from the database.
        case resync
    }

    let id = UUID()
    let stream: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    private let overflowed = Mutex(false)
    private let pendingStates = Mutex<[ConversationID: SharedFrames]>([:])

    init(capacity: Int) {
        (stream, continuation) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .bufferingOldest(capacity))
    }

    /// False when the socket is too far behind; the outbox is then finished.
    @discardableResult
    func push(_ item: Item) -> Bool {
        switch continuation.yield(item) {
        case .enqueued: return true
        case .dropped:
            overflowed.withLock { $0 = true }
            continuation.finish()
            return false
        case .terminated: return false
        @unknown default: return false
        }
    }

    var didOverflow: Bool { overflowed.withLock { $0 } }

    /// Queues an agent's inbox update for a conversation, coalesced: while one is waiting its turn, a newer state of
    /// the same conversation replaces it instead of queueing another frame. An idle socket sends at once; a busy
    /// one sends each conversation's latest state once, not one frame per message of the workspace.
    @discardableResult
    func pushState(_ shared: SharedFrames) -> Bool {
        guard let conversation = shared.conversation else { return true }
        let isFirst = pendingStates.withLock { pending in
            guard let waiting = pending[conversation.id]?.conversation else {
                pending[conversation.id] = shared
                return true
            }
            if (conversation.lastSeq, conversation.updatedAt) >= (waiting.lastSeq, waiting.updatedAt) {
                pending[conversation.id] = shared
            }
            return false
        }
        return isFirst ? push(.state(conversation.id)) : true
    }

    /// The latest state queued for the conversation, now taken out.
    func takeState(_ id: ConversationID) -> SharedFrames? {
        pendingStates.withLock { $0.removeValue(forKey: id) }
    }

    func finish() { continuation.finish() }
}

/// Routes chat events to the sockets of this instance: customers by conversation, agents by workspace (each agent
/// socket filters what its member may see). Subscribes to the event bus, so events from any instance arrive alike.
final class ChatHub: Sendable {
    private struct Subscribers {
        var conversations: [ConversationID: [UUID: ChatOutbox]] = [:]
        var workspaces: [WorkspaceID: [UUID: ChatOutbox]] = [:]
        /// Open agent sockets per member: presence is `offline` at zero.
        var agents: [WorkspaceID: [UserID: Int]] = [:]
    }

    private let state = Mutex(Subscribers())

    init(events: any EventBus) {
        events.subscribe { [weak self] event in
            switch event {
            case .chat(let workspace, let chat): self?.dispatch(workspace, chat)
            case .accessChanged(let workspace): self?.recheck(workspace)
            case .presence(let workspace, let user, let status): self?.announce(workspace, user, status)
            case .ticketAlert(let workspace, let notice): self?.announce(workspace, notice)
            case .resync: self?.resyncAll()
            }
        }
    }

    func watch(_ conversation: ConversationID, _ outbox: ChatOutbox) {
        state.withLock { $0.conversations[conversation, default: [:]][outbox.id] = outbox }
    }

    func unwatch(_ conversation: ConversationID, _ outbox: ChatOutbox) {
        state.withLock { state in
            state.conversations[conversation]?[outbox.id] = nil
            if state.conversations[conversation]?.isEmpty == true { state.conversations[conversation] = nil }
        }
    }

    func watchWorkspace(_ workspace: WorkspaceID, _ outbox: ChatOutbox) {
        state.withLock { $0.workspaces[workspace, default: [:]][outbox.id] = outbox }
    }

    /// Drops the socket from what it watched.
    func remove(_ outbox: ChatOutbox, conversations: some Sequence<ConversationID>, workspace: WorkspaceID?) {
        state.withLock { state in
            for id in conversations {
                state.conversations[id]?[outbox.id] = nil
                if state.conversations[id]?.isEmpty == true { state.conversations[id] = nil }
            }
            if let workspace {
                state.workspaces[workspace]?[outbox.id] = nil
                if state.workspaces[workspace]?.isEmpty == true { state.workspaces[workspace] = nil }
            }
        }
    }

    /// Counts an agent's socket; true for their first on this instance.
    func agentJoined(_ workspace: WorkspaceID, _ user: UserID) -> Bool {
        state.withLock { state in
            state.agents[workspace, default: [:]][user, default: 0] += 1
            return state.agents[workspace]?[user] == 1
        }
    }

    /// Uncounts an agent's socket; true when it was their last on this instance.
    func agentLeft(_ workspace: WorkspaceID, _ user: UserID) -> Bool {
        state.withLock { state in
            guard let count = state.agents[workspace]?[user] else { return false }
            if count > 1 {
                state.agents[workspace]?[user] = count - 1
                return false
            }
            state.agents[workspace]?[user] = nil
            if state.agents[workspace]?.isEmpty == true { state.agents[workspace] = nil }
            return true
        }
    }

    func workspacesWithAgents() -> [WorkspaceID] {
        state.withLock { Array($0.agents.keys) }
    }

    private func announce(_ workspace: WorkspaceID, _ user: UserID, _ status: String) {
        var frame = OutboundFrame("presence")
        frame.user = ["id": user.description]
        frame.status = status
        let json = frame.json
        let targets = state.withLock { $0.workspaces[workspace].map { Array($0.values) } ?? [] }
        for outbox in targets { outbox.push(.frame(json)) }
    }

    /// SLA warnings and breaches go to every agent console of the workspace.
    private func announce(_ workspace: WorkspaceID, _ notice: TicketAlertNotice) {
        var frame = OutboundFrame("ticket_alert")
        frame.ticket = notice.ticketID
        frame.number = notice.number
        frame.metric = notice.metric.rawValue
        frame.alert = notice.alert.rawValue
        frame.dueAt = notice.dueAt
        let json = frame.json
        let targets = state.withLock { $0.workspaces[workspace].map { Array($0.values) } ?? [] }
        for outbox in targets { outbox.push(.frame(json)) }
    }

    var socketCount: Int {
        state.withLock { state in
            Set(state.conversations.values.flatMap(\.keys) + state.workspaces.values.flatMap(\.keys)).count
        }
    }

    /// Every socket reads again, by sequence, what its conversations may have missed.
    private func resyncAll() {
        let targets = state.withLock { state in
            Array(state.conversations.values.flatMap(\.values) + state.workspaces.values.flatMap(\.values))
        }
        var seen: Set<UUID> = []
        for outbox in targets where seen.insert(outbox.id).inserted { outbox.push(.resync) }
    }

    /// Agent sockets are the ones watching a whole workspace.
    private func recheck(_ workspace: WorkspaceID) {
        let targets = state.withLock { $0.workspaces[workspace].map { Array($0.values) } ?? [] }
        for outbox in targets { outbox.push(.recheck) }
    }

    private func dispatch(_ workspace: WorkspaceID, _ event: ChatEvent) {
        let targets = state.withLock { state in
            let watchers = state.conversations[event.conversationID] ?? [:]
            // Queue places are the waiting customer's alone; agents see the queue in conversation states.
            if case .queue = event { return watchers.values }
            // An agent watching the conversation is in both lists: one push per socket.
            return watchers.merging(state.workspaces[workspace] ?? [:]) { kept, _ in kept }.values
        }
        let shared = SharedFrames(event)
        for outbox in targets { outbox.push(.event(shared)) }
    }
}
