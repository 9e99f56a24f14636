import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import KefuCore
import Logging
import Synchronization

/// Who is on the other end of a chat socket, once their `hello` checked out.
enum ChatPeer: Sendable {
    case customer(Visitor, locale: UILocale)
    case agent(Identity, teams: [TeamID])

    var workspace: WorkspaceID {
        switch self {
        case .customer(let visitor, _): visitor.workspace.id
        case .agent(let identity, _): identity.workspace.id
        }
    }

    var isAgent: Bool {
        if case .agent = self { return true }
        return false
    }

    var locale: UILocale {
        switch self {
        case .customer(_, let locale): locale
        case .agent(let identity, _): identity.user.locale ?? identity.workspace.defaultLocale
        }
    }

    /// How this peer names itself in typing and read events.
    var participant: String {
        switch self {
        case .customer: "customer"
        case .agent(let identity, _): "agent:" + identity.user.id.description
        }
    }
}

/// One chat socket (docs/CHAT-PROTOCOL.md): a reader that handles the client's frames in order, and a writer that
/// sends acknowledgements, backlogs and live events from a bounded outbox. Everything the writer sends for a
/// conversation is in sequence order, without gaps or repeats: an event beyond the next sequence number makes it
/// read the gap from the database first.
struct ChatSocket: Sendable {
    enum Side: Sendable { case widget, agent }

    let conversations: ConversationService
    let credentials: CredentialService
    let hub: ChatHub
    let presence: PresenceService
    let catalogues: Catalogues
    /// Shared by every socket of this server: the frames one client address may send.
    let addresses: AddressFrameLimiter
    /// New visitors (a widget hello without a token makes a contact) one client address may start.
    let newVisitors: AddressFrameLimiter
    static let protocolVersion = 1
    static let maxFrameBytes = 64 * 1024
    static let outboxCapacity = 1024
    static let helloTimeout = Duration.seconds(10)
    static let credentialCheckInterval = Duration.seconds(300)

    /// Mutable state shared by the reader and the writer of one socket.
    final class Connection: Sendable {
        let outbox = ChatOutbox(capacity: ChatSocket.outboxCapacity)
        let peer = Mutex<ChatPeer?>(nil)
        /// Set by an accepted `hello`: before it, only `hello` and `ping` are read (an agent's peer is known from the
        /// upgrade's credentials, but their socket still says hello first).
        let greeted = Mutex(false)
        let watched = Mutex<Set<ConversationID>>([])
        /// Set when the reader is done; the writer drains the outbox and closes with this code.
        let closing = Mutex<(code: UInt16, reason: String)?>(nil)
        /// An agent's credential, checked again when the workspace's access changes and every few minutes.
        let credential = Mutex<PresentedCredential?>(nil)
        /// An agent's sends, in order per conversation, several conversations at once.
        let lanes = SendLanes()
    }

    func serve(
        side: Side, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, request: Request, address: String,
        logger: Logger
    ) async {
        let connection = Connection()
        if side == .agent {
            do {
                let (identity, presented) = try await agentIdentity(request)
                let teams = try await conversations.teams(of: identity)
                connection.peer.withLock { $0 = .agent(identity, teams: teams) }
                connection.credential.withLock { $0 = presented }
                await presence.connected(identity)
            } catch {
                try? await outbound.write(.text(frame(for: error, locale: .en).json))
                try? await outbound.close(.unknown(4401), reason: "unauthenticated")
                return
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await write(connection, outbound, logger: logger) }
            group.addTask { await watchdog(connection) }
            await read(connection, side: side, address: address, inbound: inbound, outbound: outbound, logger: logger)
            await connection.lanes.drain()
            connection.closing.withLock { $0 = $0 ?? (1000, "") }
            connection.outbox.finish()
        }
        let peer = connection.peer.withLock { $0 }
        hub.remove(connection.outbox, conversations: connection.watched.withLock { $0 }, workspace: peer?.workspace)
        if case .agent(let identity, _)? = peer { await presence.disconnected(identity) }
    }

    /// Closes a socket that has not said hello in time; afterwards asks an agent socket to check its credential again
    /// now and then (a session that expired while the socket was open).
    private func watchdog(_ connection: Connection) async {
        let deadline = ContinuousClock.now + Self.helloTimeout
        var nextCheck = ContinuousClock.now + Self.credentialCheckInterval
        while connection.closing.withLock({ $0 }) == nil {
            let now = ContinuousClock.now
            if !connection.greeted.withLock({ $0 }), now >= deadline {
                connection.closing.withLock { $0 = $0 ?? (1008, "no hello") }
                connection.outbox.finish()
                return
            }
            if now >= nextCheck, connection.credential.withLock({ $0 }) != nil {
                connection.outbox.push(.recheck)
                nextCheck = now + Self.credentialCheckInterval
            }
            if connection.greeted.withLock({ $0 }) && connection.credential.withLock({ $0 }) == nil { return }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    /// The agent the upgrade request names, and the credential to check again when access changes.
    func agentIdentity(_ request: Request) async throws -> (Identity, PresentedCredential) {
        guard let presented = PresentedCredential(request) else { throw DomainError.unauthenticated }
        // A browser sends the cookie with any site's socket: only our own pages may use it.
        if case .session = presented, !Self.isSameOrigin(request) { throw DomainError.forbidden(.crossSiteSocket) }
        return (try await agent(presented), presented)
    }

    /// The agent behind a credential, if it still signs in and may read conversations.
    func agent(_ presented: PresentedCredential, fresh: Bool = false) async throws -> Identity {
        guard let identity = try await credentials.identify(presented, fresh: fresh) else { throw DomainError.unauthenticated }
        guard identity.can(.viewConversations) else { throw DomainError.forbidden(.cannotChangeConversation) }
        return identity
    }

    /// The id of a refused frame, so its sender can tell which one to send again; nil for anything unreadable.
    static func frameID(_ message: WebSocketMessage) -> String? {
        struct OnlyID: Decodable { var id: String? }
        guard case .text(let text) = message, text.utf8.count <= 4096 else { return nil }
        return (try? JSONCoding.decoder.decode(OnlyID.self, from: Data(text.utf8)))?.id
    }

    static func isSameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://" + host || origin == "https://" + host
    }

    // MARK: reading

    private func read(
        _ connection: Connection, side: Side, address: String, inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter, logger: Logger
    ) async {
        var limiter =
            side == .agent ? FrameRateLimiter(perSecond: 50, burst: 100) : FrameRateLimiter(perSecond: 10, burst: 30)
        do {
            for try await message in inbound.messages(maxSize: Self.maxFrameBytes) {
                let locale = connection.peer.withLock { $0?.locale } ?? .en
                // Every frame counts, readable or not: a flood of garbage is limited like any other.
                guard limiter.admit(), addresses.admit(address) else {
                    let id = Self.frameID(message)
                    reply(connection, .error("rate_limited", catalogues.text("chat", "rate_limited", locale), id: id))
                    continue
                }
                guard case .text(let text) = message else {
                    reply(connection, .error("bad_frame", catalogues.text("chat", "bad_frame", locale)))
                    continue
                }
                let frame: InboundFrame
                do {
                    frame = try InboundFrame.parse(text)
                } catch {
                    reply(connection, refusal(error, greeted: connection.greeted.withLock { $0 }, locale: locale))
                    continue
                }
                // A hello without a token makes a new contact: a few a minute per address, then refused and closed.
                if side == .widget, case .hello(let hello) = frame, (hello.visitorToken ?? "").isEmpty,
                    connection.peer.withLock({ $0 == nil }), !newVisitors.admit(address)
                {
                    reply(connection, .error("rate_limited", catalogues.text("chat", "rate_limited", locale), id: frame.id))
                    connection.closing.withLock { $0 = (1013, "try again later") }
                    connection.outbox.finish()
                    return
                }
                do {
                    // In a task of its own: a task keeps every slab of memory its deepest call needed until it ends,
                    // and the reader lives as long as the socket; handling a frame (the hello's database work, a
                    // send) goes deep, so its memory is given back when the frame is handled. (An `async let` child
                    // would take it from the reader's allocator all the same.) Measured: 35 KB less per idle socket.
                    let handling = Task { try await handle(frame, connection: connection, side: side, logger: logger) }
                    let keepOpen = try await withTaskCancellationHandler {
                        try await handling.value
                    } onCancel: {
                        handling.cancel()
                    }
                    if !keepOpen {
                        connection.closing.withLock { $0 = (4401, "unauthenticated") }
                        connection.outbox.finish()
                        return
                    }
                } catch {
                    reply(connection, self.frame(for: error, locale: locale, id: frame.id))
                    if failedSend(frame, error, connection) { return }
                }
            }
        } catch {
            logger.debug("chat socket closed", metadata: ["error": "\(error)"])
        }
    }

    /// The error frame for a frame that could not be read: before hello anything but hello is `hello_first`.
    private func refusal(_ refusal: InboundFrame.Refusal, greeted: Bool, locale: UILocale) -> OutboundFrame {
        switch refusal {
        case .badFrame: return .error("bad_frame", catalogues.text("chat", "bad_frame", locale))
        case .unknownType(let id):
            return greeted
                ? .error("unknown_type", catalogues.text("chat", "unknown_type", locale), id: id)
                : .error("hello_first", catalogues.text("chat", "hello_first", locale), id: id)
        case .invalid(let errors, let id): return frame(for: DomainError.invalid(errors), locale: locale, id: id)
        }
    }

    /// A send the server failed to store (its database restarting, say): the client resends it, but messages sent
    /// after it must not be stored before it. So the socket closes ("try again"); the client reconnects and resends
    /// what was not acknowledged, in order. True when it closed.
    @discardableResult
    private func failedSend(_ frame: InboundFrame, _ error: any Error, _ connection: Connection) -> Bool {
        guard case .send = frame, APIError.from(error).status.code >= 500 else { return false }
        connection.closing.withLock { $0 = $0 ?? (1011, "try again; resend in order") }
        connection.outbox.finish()
        return true
    }

    private func reply(_ connection: Connection, _ frame: OutboundFrame) {
        connection.outbox.push(.frame(frame.json))
    }

    func frame(for error: any Error, locale: UILocale, id: String? = nil) -> OutboundFrame {
        let apiError = APIError.from(error)
        return .error(apiError.code, catalogues.fullMessage(apiError, locale), id: id)
    }

    /// Handles one frame; false closes the socket (a failed hello). Never inlined: the reader waits for the next frame
    /// in `read`, whose async frame lives as long as the socket and would otherwise hold room for all of this.
    @inline(never)
    private func handle(_ frame: InboundFrame, connection: Connection, side: Side, logger: Logger) async throws -> Bool {
        let peer = connection.peer.withLock { $0 }
        switch frame {
        case .hello(let hello): return try await self.hello(hello, connection: connection, side: side, peer: peer)
        case .ping:
            reply(connection, OutboundFrame("pong"))
            return true
        default: break
        }
        guard connection.greeted.withLock({ $0 }), let peer else {
            reply(connection, .error("hello_first", catalogues.text("chat", "hello_first", peer?.locale ?? .en), id: frame.id))
            return true
        }
        switch frame {
        case .hello, .ping: break
        case .subscribe(_, let conversation, let lastSeq):
            let id = try conversationID(conversation)
            try await subscribe(id, after: max(lastSeq ?? 0, 0), connection: connection, peer: peer)
        case .unsubscribe(_, let conversation):
            let id = try conversationID(conversation)
            connection.watched.withLock { _ = $0.remove(id) }
            hub.unwatch(id, connection.outbox)
            connection.outbox.push(.forget(id))
        case .send(let send):
            guard case .agent = peer, let id = send.conversation.flatMap(ConversationID.init) else {
                try await self.send(send, connection: connection, peer: peer, logger: logger)
                break
            }
            let work: @Sendable () async -> Void = { [self] in
                do {
                    try await self.send(send, connection: connection, peer: peer, logger: logger)
                } catch {
                    reply(connection, self.frame(for: error, locale: peer.locale, id: send.id))
                    failedSend(frame, error, connection)
                }
            }
            // A full set of lanes makes the reader wait (never overtake: the send must queue behind its conversation's).
            while !connection.lanes.start(id, work) { try await Task.sleep(for: .milliseconds(2)) }
        case .typing(_, let conversation, let typing):
            let id = try conversationID(conversation)
            switch peer {
            case .customer(let visitor, _):
                try await conversations.customerTyping(visitor, id, isTyping: typing ?? true)
            case .agent(let identity, _): try await conversations.typing(identity, id, isTyping: typing ?? true)
            }
        case .read(_, let conversation, let seq):
            let id = try conversationID(conversation)
            switch peer {
            case .customer(let visitor, _): _ = try await conversations.customerRead(visitor, id, seq: seq ?? 0)
            case .agent(let identity, _): _ = try await conversations.markRead(identity, id, seq: seq ?? 0)
            }
        case .presence(let id, let status):
            guard case .agent(let identity, _) = peer else {
                reply(connection, .error("unknown_type", catalogues.text("chat", "unknown_type", peer.locale), id: id))
                return true
            }
            guard let status = status.flatMap(AgentStatus.init(rawValue:)) else {
                throw DomainError.invalid(ValidationErrors("status", .oneOf(AgentStatus.allCases.map(\.rawValue))))
            }
            try await presence.set(identity, status)
        case .handoff(_, let conversation):
            guard case .customer(let visitor, _) = peer else { throw DomainError.notFound(.conversation) }
            try await conversations.requestHuman(visitor, try conversationID(conversation), logger: logger)
        case .leaveMessage(let left):
            guard case .customer(let visitor, let locale) = peer else { throw DomainError.notFound(.conversation) }
            let contact = LeftMessageContact(name: left.name, email: left.email, phone: left.phone)
            let clientID = left.id ?? ""
            _ = try await conversations.leaveMessage(
                visitor, try left.conversation.map { try conversationID($0) }, clientID: clientID, text: left.text ?? "",
                contact: contact, locale: locale == .zhCN ? .zhCN : .en, logger: logger
            ) { result in
                watch(result.conversation.id, connection)
                reply(connection, .ack(clientID, result))
            }
        }
        return true
    }

    private func conversationID(_ raw: String?) throws -> ConversationID {
        guard let raw else { throw DomainError.invalid(ValidationErrors("conversation", .required)) }
        guard let id = ConversationID(raw) else { throw DomainError.notFound(.conversation) }
        return id
    }

    private func hello(_ frame: InboundFrame.Hello, connection: Connection, side: Side, peer: ChatPeer?) async throws
        -> Bool
    {
        guard frame.v == nil || frame.v == Self.protocolVersion else {
            reply(connection, .error("unsupported_version", catalogues.text("chat", "unsupported_version", .en)))
            return false
        }
        var welcome = OutboundFrame("welcome")
        welcome.v = Self.protocolVersion
        switch side {
        case .agent:
            guard case .agent(let identity, _) = peer else { return false }
            guard connection.greeted.withLock({ !$0 }) else { return true }
            hub.watchWorkspace(identity.workspace.id, connection.outbox)
            welcome.user = ["id": identity.user.id.description, "name": identity.user.displayName]
            // The status they chose last (away stays away across reconnects); online by default.
            welcome.status = try await presence.chosen(identity).rawValue
        case .widget:
            guard peer == nil else { return true }
            let locale = frame.locale.flatMap(UILocale.init(loose:)) ?? .en
            do {
                let (visitor, token) = try await conversations.visitor(
                    widgetKey: frame.widgetKey ?? "", token: frame.visitorToken)
                connection.peer.withLock { $0 = .customer(visitor, locale: locale) }
                connection.greeted.withLock { $0 = true }
                welcome.visitorToken = token
                welcome.contact = visitor.contactID
                if let current = try await conversations.currentConversation(visitor) {
                    welcome.state = DTO.ConversationSummary(current, contact: nil, forAgent: false)
                    welcome.conversation = current.id
                }
            } catch {
                reply(connection, self.frame(for: error, locale: locale, id: frame.id))
                if Self.refusesCredentials(error) { return false }
                // Not the visitor's fault (a busy database): close so the widget retries with the same token.
                connection.closing.withLock { $0 = (1011, "try again") }
                connection.outbox.finish()
                return true
            }
        }
        connection.greeted.withLock { $0 = true }
        reply(connection, welcome)
        return true
    }

    /// Errors that mean the hello itself is wrong: an unknown widget key or a token that does not verify.
    static func refusesCredentials(_ error: any Error) -> Bool {
        switch error as? DomainError {
        case .unauthenticated?, .notFound(.workspace)?: true
        default: false
        }
    }

    private func subscribe(_ id: ConversationID, after: Int64, connection: Connection, peer: ChatPeer) async throws {
        switch peer {
        case .customer(let visitor, _): _ = try await conversations.conversation(visitor, id)
        case .agent(let identity, _): _ = try await conversations.conversation(identity, id)
        }
        // Watch first, then read the backlog: an event that arrives in between is dropped by sequence number.
        let isNew = connection.watched.withLock { $0.insert(id).inserted }
        if isNew { hub.watch(id, connection.outbox) }
        connection.outbox.push(.sync(id, after: after))
    }

    /// A conversation the customer just wrote into (perhaps starting it) is watched from its start.
    private func watch(_ id: ConversationID, _ connection: Connection) {
        if connection.watched.withLock({ $0.insert(id).inserted }) {
            hub.watch(id, connection.outbox)
            connection.outbox.push(.sync(id, after: 0))
        }
    }

    private func send(_ frame: InboundFrame.Send, connection: Connection, peer: ChatPeer, logger: Logger) async throws {
        guard let clientID = frame.id else { throw DomainError.invalid(ValidationErrors("id", .required)) }
        let conversation = try frame.conversation.map { try conversationID($0) }
        switch peer {
        case .customer(let visitor, let locale):
            // The core stores, publishes and routes; the bot's turn (if the bot holds the conversation) comes after
            // the acknowledgement.
            _ = try await conversations.customerSend(
                visitor, conversation, clientID: clientID, text: frame.text ?? "", locale: locale == .zhCN ? .zhCN : .en,
                logger: logger
            ) { result in
                watch(result.message.conversationID, connection)
                reply(connection, .ack(clientID, result))
            }
        case .agent(let identity, _):
            guard let conversation else { throw DomainError.invalid(ValidationErrors("conversation", .required)) }
            let result = try await conversations.send(
                identity, conversation, clientID: clientID, text: frame.text ?? "", isPrivate: frame.isPrivate ?? false)
            reply(connection, .ack(clientID, result))
        }
    }
}
