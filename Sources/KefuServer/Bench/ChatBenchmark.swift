import AsyncHTTPClient
import Foundation
import Synchronization

/// `kefu bench chat`: drives a running server the way real clients do, through the public API and the chat protocol
/// only. Signed in as a workspace owner it invites its agents (accepting through the API), opens widget customers,
/// hands each conversation to an agent, then has customers write at a steady pace while agents answer every few
/// messages; every message's arrival is checked by client id, and the transcripts are read back to count what was
/// stored.
public struct ChatBenchmark: Sendable {
    public var url: String
    public var email: String
    public var password: String
    public var customers = 100
    public var messages = 20
    /// nil: enough agents that none writes more than 40 frames a second.
    public var agents: Int?
    public var ratePerCustomer = 8.0
    public var replyEvery = 5
    public var settleSeconds = 20.0

    public init(url: String, email: String, password: String) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.email = email
        self.password = password
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

        enum CodingKeys: String, CodingKey {
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
        let http = BenchHTTP(client: HTTPClient.shared, base: url)
        let run = String(UUID().uuidString.prefix(8)).lowercased()
        let ledger = ChatLedger()
        let (ownerToken, widgetKey) = try await http.owner(email: email, password: password)
        let agentCount = agents ?? max(1, Int((Double(customers) * ratePerCustomer / Double(replyEvery) / 40).rounded(.up)))
        let socketBase = http.socketBase

        progress("inviting \(agentCount) agents")
        var agentSockets: [BenchSocket] = []
        var agentIDs: [String] = []
        for index in 0..<agentCount {
            let (socket, userID) = try await agent(
                index, run: run, http: http, owner: ownerToken, base: socketBase, ledger: ledger)
            agentSockets.append(socket)
            agentIDs.append(userID)
        }

        progress("opening \(customers) customers")
        var customerSockets: [BenchSocket] = []
        var conversations: [String] = []
        for index in 0..<customers {
            let (socket, conversation) = try await customer(index, run: run, key: widgetKey, base: socketBase, ledger: ledger)
            customerSockets.append(socket)
            conversations.append(conversation)
        }
        progress("assigning conversations")
        for (index, conversation) in conversations.enumerated() {
            _ = try await http.object(
                .POST, "/api/v1/conversations/\(conversation)/assign", token: ownerToken,
                json: ["assignee_id": agentIDs[index % agentCount]])
            agentSockets[index % agentCount].send(["type": "subscribe", "conversation": conversation, "last_seq": 0])
        }
        try await ledger.waitForSynced(customers)

        progress("sending: \(customers) customers × \(messages) messages at \(ratePerCustomer)/s each")
        let peak = Mutex(0.0)
        let sampler = Task {
            while !Task.isCancelled {
                if let bytes = await http.residentBytes() { peak.withLock { $0 = max($0, bytes) } }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for (index, socket) in customerSockets.enumerated() {
                let conversation = conversations[index]
                group.addTask {
                    // Customers are spread evenly over the first interval so that sends do not come in waves.
                    let offset = Double(index) / Double(customers) / ratePerCustomer
                    for number in 1...messages {
                        let due = start + .seconds(offset + Double(number - 1) / ratePerCustomer)
                        try? await Task.sleep(until: due)
                        let id = "bc-\(run)-\(index)-\(number)"
                        ledger.sent(id)
                        socket.send([
                            "type": "send", "id": id, "conversation": conversation, "text": "message \(number) 第\(number)条",
                        ])
                    }
                }
            }
        }
        let settled = await ledger.waitForDelivery(timeout: settleSeconds)
        sampler.cancel()
        let elapsed = (settled - start).seconds

        progress("reading transcripts")
        var stored = 0
        var storedDuplicates = 0
        for conversation in conversations {
            let ids = try await storedClientIDs(conversation, run: run, http: http, token: ownerToken)
            stored += Set(ids).count
            storedDuplicates += ids.count - Set(ids).count
        }
        for socket in customerSockets + agentSockets { socket.close() }

        var report = ledger.report()
        report.messagesStored = stored
        report.duplicated += storedDuplicates
        report.customers = customers
        report.agents = agentCount
        report.seconds = elapsed
        report.throughputPerS = elapsed > 0 ? Double(report.messagesDelivered) / elapsed : 0
        report.peakRssMb = peak.withLock { $0 } / 1_048_576
        return report
    }

    /// Invites an agent, accepts through the API, opens their socket; returns it with the agent's user id.
    private func agent(
        _ index: Int, run: String, http: BenchHTTP, owner: String, base: String, ledger: ChatLedger
    ) async throws -> (BenchSocket, String) {
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
        let holder = SocketHolder()
        let socket = BenchSocket(url: base + "/ws/v1/agent", headers: [("Authorization", "Bearer \(bearer)")]) { frame in
            switch frame.type {
            case "welcome": welcome.fulfil(frame.user?.id ?? "")
            case "ack":
                // Customers never see agents' client ids: their replies are matched by the stored message's id.
                if let id = frame.id, id.hasPrefix("ba-\(run)-"), let message = frame.messageID { ledger.stored(id, as: message) }
            case "synced": ledger.synced()
            case "message":
                guard let id = frame.message?.clientID, id.hasPrefix("bc-\(run)-"), frame.message?.sender == "customer" else {
                    return
                }
                ledger.received(id, by: "agent")
                // bc-RUN-CUSTOMER-NUMBER: every few messages the agent answers.
                let parts = id.split(separator: "-")
                if let number = Int(parts.last ?? ""), number % replyEvery == 0, let conversation = frame.conversation {
                    let reply = "ba-\(run)-\(parts[2])-\(number)"
                    ledger.sent(reply)
                    holder.socket?.send(["type": "send", "id": reply, "conversation": conversation, "text": "收到 \(number)"])
                }
            case "error": ledger.error(frame.code ?? "unknown")
            default: break
            }
        }
        holder.set(socket)
        socket.send(["type": "hello", "v": 1])
        return (socket, try await welcome.value(timeout: 30))
    }

    /// Opens a widget customer and starts their conversation; returns the socket and the conversation id.
    private func customer(_ index: Int, run: String, key: String, base: String, ledger: ChatLedger) async throws
        -> (BenchSocket, String)
    {
        let first = "bf-\(run)-\(index)"
        let started = OneShot<String>()
        let socket = BenchSocket(url: base + "/ws/v1/widget") { frame in
            switch frame.type {
            case "ack" where frame.id == first: started.fulfil(frame.conversation ?? "")
            case "message":
                guard frame.message?.sender == "agent", let message = frame.message?.id else { return }
                ledger.received(messageID: message)
            case "error": ledger.error(frame.code ?? "unknown")
            default: break
            }
        }
        socket.send(["type": "hello", "v": 1, "widget_key": key, "locale": "zh-CN"])
        socket.send(["type": "send", "id": first, "text": "你好，我想问一下订单"])
        return (socket, try await started.value(timeout: 30))
    }

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

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
