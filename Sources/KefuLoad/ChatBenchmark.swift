import AsyncHTTPClient
import Foundation
import KefuCore
import Synchronization

/// `kefu bench chat`: drives running servers the way real clients do, through the public API and the chat protocol
/// only. Signed in as a workspace owner it invites its agents (accepting through the API), opens widget customers,
/// hands each conversation to an agent, then has customers write at a steady pace while agents answer every few
/// messages; every message's arrival is checked by client id, and the transcripts are read back to count what was
/// stored. With several URLs (instances behind no balancer) clients are spread over them; a client whose instance
/// stops answering reconnects to the next and resumes by sequence number, resending what was not acknowledged, as
/// the widget does. `idle` more widget sockets stay open and quiet throughout.
public struct ChatBenchmark: Sendable {
    public var urls: [String]
    public var email: String
    public var password: String
    public var customers = 100
    public var messages = 20
    /// nil: enough agents that none writes more than 40 frames a second.
    public var agents: Int?
    public var ratePerCustomer = 8.0
    public var replyEvery = 5
    public var settleSeconds = 20.0
    public var idle = 0

    public init(urls: [String], email: String, password: String) {
        self.urls = urls.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.email = email
        self.password = password
    }

    /// A part of the run: before or after the first instance went away.
    public struct Phase: Encodable, Sendable {
        public var messages = 0
        public var throughputPerS = 0.0
        public var p99Ms = 0.0

        enum CodingKeys: String, CodingKey {
            case messages
            case throughputPerS = "throughput_per_s"
            case p99Ms = "p99_ms"
        }
    }

    public struct Report: Encodable, Sendable {
        public var messagesSent = 0
        public var messagesStored = 0
        public var messagesDelivered = 0
        public var duplicated = 0
        public var lost = 0
        public var throughputPerS = 0.0
        public var p50Ms = 0.0
        public var p99Ms = 0.0
        public var peakRssMb = 0.0
        public var customers = 0
        public var agents = 0
        public var seconds = 0.0
        public var customerToAgentP99Ms = 0.0
        public var agentToCustomerP99Ms = 0.0
        public var errors: [String: Int] = [:]
        public var instances = 0
        public var reconnects = 0
        /// Conversations whose stored transcript has a customer's messages out of the order they were sent.
        public var outOfOrder = 0
        public var idleConnections: Int?
        public var beforeDrop: Phase?
        public var afterDrop: Phase?

        enum CodingKeys: String, CodingKey {
            case instances, reconnects
            case outOfOrder = "out_of_order"
            case idleConnections = "idle_connections"
            case beforeDrop = "before_drop"
            case afterDrop = "after_drop"
            case messagesSent = "messages_sent"
            case messagesStored = "messages_stored"
            case messagesDelivered = "messages_delivered"
            case duplicated, lost, customers, agents, seconds, errors
            case throughputPerS = "throughput_per_s"
            case p50Ms = "p50_ms"
            case p99Ms = "p99_ms"
            case peakRssMb = "peak_rss_mb"
            case customerToAgentP99Ms = "customer_to_agent_p99_ms"
            case agentToCustomerP99Ms = "agent_to_customer_p99_ms"
        }
    }

    public func run(progress: @escaping @Sendable (String) -> Void) async throws -> Report {
        let servers = urls.map { BenchHTTP(client: HTTPClient.shared, base: $0) }
        let http = servers[0]
        let run = String(UUID().uuidString.prefix(8)).lowercased()
        let ledger = ChatLedger()
        let (ownerToken, widgetKey) = try await http.owner(email: email, password: password)
        let agentCount = agents ?? max(1, Int((Double(customers) * ratePerCustomer / Double(replyEvery) / 40).rounded(.up)))
        let sockets = servers.map(\.socketBase)

        progress("inviting \(agentCount) agents")
        var agentLinks: [AgentLink] = []
        var agentIDs: [String] = []
        for index in 0..<agentCount {
            let (link, userID) = try await agent(
                index, run: run, http: http, owner: ownerToken, bases: sockets, ledger: ledger)
            agentLinks.append(link)
            agentIDs.append(userID)
        }

        progress("opening \(customers) customers over \(urls.count) instance(s)")
        var customerLinks: [CustomerLink] = []
        var conversations: [String] = []
        for index in 0..<customers {
            let (link, conversation) = try await customer(index, run: run, key: widgetKey, bases: sockets, ledger: ledger)
            customerLinks.append(link)
            conversations.append(conversation)
        }
        let idleSockets = try await openIdle(key: widgetKey, bases: sockets, progress: progress)
        progress("assigning conversations")
        for (index, conversation) in conversations.enumerated() {
            _ = try await http.object(
                .POST, "/api/v1/conversations/\(conversation)/assign", token: ownerToken,
                json: ["assignee_id": agentIDs[index % agentCount]])
            agentLinks[index % agentCount].subscribe(conversation)
        }
        try await ledger.waitForSynced(customers)

        progress("sending: \(customers) customers × \(messages) messages at \(ratePerCustomer)/s each")
        let peak = Mutex(0.0)
        let sampler = Task {
            while !Task.isCancelled {
                var total = 0.0
                for server in servers { total += await server.residentBytes() ?? 0 }
                peak.withLock { $0 = max($0, total) }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for (index, link) in customerLinks.enumerated() {
                let conversation = conversations[index]
                group.addTask {
                    // Customers are spread evenly over the first interval so that sends do not come in waves.
                    let offset = Double(index) / Double(customers) / ratePerCustomer
                    for number in 1...messages {
                        let due = start + .seconds(offset + Double(number - 1) / ratePerCustomer)
                        try? await Task.sleep(until: due)
                        let id = "bc-\(run)-\(index)-\(number)"
                        ledger.sent(id)
                        link.send([
                            "type": "send", "id": id, "conversation": conversation, "text": "message \(number) 第\(number)条",
                        ])
                    }
                }
            }
        }
        let settled = await ledger.waitForDelivery(timeout: settleSeconds)
        sampler.cancel()
        let elapsed = (settled - start).inSeconds

        progress("reading transcripts")
        let reader = try await answering(servers)
        var stored = 0
        var storedDuplicates = 0
        var outOfOrder = 0
        for conversation in conversations {
            let ids = try await storedClientIDs(conversation, run: run, http: reader, token: ownerToken)
            stored += Set(ids).count
            storedDuplicates += ids.count - Set(ids).count
            // A customer sends its messages one after another: the transcript (by sequence) must keep that order.
            let numbers = ids.filter { $0.hasPrefix("bc-\(run)-") }.compactMap {
                $0.split(separator: "-").last.flatMap { Int($0) }
            }
            if numbers != numbers.sorted() { outOfOrder += 1 }
        }
        let reconnects = (customerLinks.map(\.socket) + agentLinks.map(\.socket)).reduce(0) { $0 + $1.reconnects }
        for socket in customerLinks.map(\.socket) + agentLinks.map(\.socket) + idleSockets.sockets { socket.close() }

        var report = ledger.report()
        report.messagesStored = stored
        report.duplicated += storedDuplicates
        report.customers = customers
        report.agents = agentCount
        report.seconds = elapsed
        report.throughputPerS = elapsed > 0 ? Double(report.messagesDelivered) / elapsed : 0
        report.peakRssMb = peak.withLock { $0 } / 1_048_576
        report.instances = urls.count
        report.reconnects = reconnects
        report.outOfOrder = outOfOrder
        if idle > 0 { report.idleConnections = idleSockets.welcomed }
        if let (before, after) = ledger.phases(start: start) {
            report.beforeDrop = before
            report.afterDrop = after
        }
        return report
    }

    /// The first server that still answers (one may have been stopped during the run).
    private func answering(_ servers: [BenchHTTP]) async throws -> BenchHTTP {
        for server in servers where (try? await server.call(.GET, "/ready")) != nil { return server }
        throw BenchHTTP.Failure(description: "no instance answers /ready")
    }

    /// Quiet widget sockets, spread over the instances, opened at a pace the per-address limit allows.
    private func openIdle(key: String, bases: [String], progress: @Sendable (String) -> Void) async throws
        -> (sockets: [BenchSocket], welcomed: Int)
    {
        guard idle > 0 else { return ([], 0) }
        let welcomed = IdleCount()
        progress("opening \(idle) idle widget sockets")
        var sockets: [BenchSocket] = []
        let start = ContinuousClock.now
        for index in 0..<idle {
            try? await Task.sleep(until: start + .seconds(Double(index) / 500))
            let socket = BenchSocket(url: bases[index % bases.count] + "/ws/v1/widget") { frame in
                if frame.type == "welcome" { welcomed.add() }
            }
            socket.send(["type": "hello", "v": 1, "widget_key": key, "locale": "zh-CN"])
            sockets.append(socket)
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while welcomed.value < idle, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        progress("\(welcomed.value) idle sockets open")
        return (sockets, welcomed.value)
    }

    /// Invites an agent, accepts through the API, opens their socket; returns it with the agent's user id.
    private func agent(
        _ index: Int, run: String, http: BenchHTTP, owner: String, bases: [String], ledger: ChatLedger
    ) async throws -> (AgentLink, String) {
        let invited = try await http.object(
            .POST, "/api/v1/invitations", token: owner, json: ["email": "bench-\(run)-\(index)@bench.invalid", "role": "agent"])
        guard let link = invited["invite_url"] as? String, let token = link.split(separator: "/").last else {
            throw BenchHTTP.Failure(description: "no invitation link")
        }
        let password = "bench-" + UUID().uuidString
        let accepted = try await http.object(
            .POST, "/api/v1/auth/invitation",
            json: ["token": String(token), "name": "Bench agent \(index)", "password": password])
        guard let bearer = accepted["token"] as? String else { throw BenchHTTP.Failure(description: "no agent token") }
        let welcome = OneShot<String>()
        let replyEvery = replyEvery
        let state = AgentLink.State()
        let holder = SocketHolder()
        let socket = BenchSocket(
            urls: bases.map { $0 + "/ws/v1/agent" }, first: index, headers: [("Authorization", "Bearer \(bearer)")],
            pace: (45, 80), greeting: { state.greeting() }
        ) { frame in
            switch frame.type {
            case "welcome": welcome.fulfil(frame.user?.id ?? "")
            case "ack":
                guard let id = frame.id else { return }
                state.acknowledged(id)
                // Customers never see agents' client ids: their replies are matched by the stored message's id.
                if id.hasPrefix("ba-\(run)-"), let message = frame.messageID { ledger.stored(id, as: message) }
            case "synced":
                if let conversation = frame.conversation, state.synced(conversation, frame.lastSeq ?? 0) { ledger.synced() }
            case "message":
                guard let conversation = frame.conversation, let seq = frame.seq, state.fresh(conversation, seq) else {
                    return
                }
                guard let id = frame.message?.clientID, id.hasPrefix("bc-\(run)-"), frame.message?.sender == "customer" else {
                    return
                }
                ledger.received(id, by: "agent")
                // bc-RUN-CUSTOMER-NUMBER: every few messages the agent answers.
                let parts = id.split(separator: "-")
                if let number = Int(parts.last ?? ""), number % replyEvery == 0 {
                    let reply = "ba-\(run)-\(parts[2])-\(number)"
                    ledger.sent(reply)
                    let frame: [String: Any] = [
                        "type": "send", "id": reply, "conversation": conversation, "text": "收到 \(number)",
                    ]
                    state.sending(reply, frame)
                    holder.socket?.send(frame)
                }
            case "error":
                ledger.error(frame.code ?? "unknown")
                if let code = frame.code, Self.resendable.contains(code), let id = frame.id {
                    holder.socket?.resend(state.retry(id))
                }
            default: break
            }
        } onDrop: {
            ledger.dropped()
        }
        holder.set(socket)
        return (AgentLink(socket: socket, state: state), try await welcome.value(timeout: 30))
    }

    /// Opens a widget customer and starts their conversation; returns the socket and the conversation id.
    private func customer(_ index: Int, run: String, key: String, bases: [String], ledger: ChatLedger) async throws
        -> (CustomerLink, String)
    {
        let first = "bf-\(run)-\(index)"
        let started = OneShot<String>()
        let state = CustomerLink.State(widgetKey: key)
        let holder = SocketHolder()
        let socket = BenchSocket(
            urls: bases.map { $0 + "/ws/v1/widget" }, first: index, pace: (9, 25), greeting: { state.greeting() }
        ) { frame in
            switch frame.type {
            case "welcome": state.welcomed(frame.visitorToken)
            case "ack":
                guard let id = frame.id else { return }
                state.acknowledged(id)
                if id == first {
                    state.follow(frame.conversation)
                    started.fulfil(frame.conversation ?? "")
                }
            case "message":
                guard let seq = frame.seq, state.fresh(seq) else { return }
                guard frame.message?.sender == "agent", let message = frame.message?.id else { return }
                ledger.received(messageID: message)
            case "error":
                ledger.error(frame.code ?? "unknown")
                if let code = frame.code, Self.resendable.contains(code), let id = frame.id {
                    holder.socket?.resend(state.retry(id))
                }
            default: break
            }
        } onDrop: {
            ledger.dropped()
        }
        holder.set(socket)
        let link = CustomerLink(socket: socket, state: state)
        link.send(["type": "send", "id": first, "text": "你好，我想问一下订单"])
        return (link, try await started.value(timeout: 30))
    }

    /// Errors a resend cures (sends are idempotent by client id): a rate limit, or a failure on the server's side
    /// such as its database restarting.
    static let resendable: Set<String> = ["rate_limited", "internal"]

    private func storedClientIDs(_ conversation: String, run: String, http: BenchHTTP, token: String) async throws
        -> [String]
    {
        var ids: [String] = []
        var after = 0
        while true {
            let page = try await http.object(
                .GET, "/api/v1/conversations/\(conversation)/messages?after=\(after)&limit=200", token: token)
            let messages = page["messages"] as? [[String: Any]] ?? []
            for message in messages {
                if let id = message["client_id"] as? String, id.hasPrefix("bc-\(run)-") || id.hasPrefix("ba-\(run)-") {
                    ids.append(id)
                }
                after = max(after, message["seq"] as? Int ?? after)
            }
            if messages.count < 200 { return ids }
        }
    }
}

/// Idle sockets that got their welcome.
final class IdleCount: Sendable {
    private let count = Atomic<Int>(0)
    func add() { count.wrappingAdd(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
