import AsyncHTTPClient
import Foundation
import KefuCore
import Synchronization

/// `kefu bench chat-bot`: the bot's turn over the real protocol. Widget customers ask questions the demo knowledge
/// base answers, together `rate` a second; the time from sending to the bot's first message after it is measured at
/// the customer, so it holds the whole path: socket, write, classification, retrieval, the bot's write and delivery.
public struct ChatBotBenchmark: Sendable {
    public var url: String
    public var email: String
    public var password: String
    public var customers = 250
    public var rate = 500.0
    public var seconds = 10.0
    /// What customers ask: `faq` (answered from the knowledge base) or `orders` (the order-status flow, one business
    /// action against the demo shop's backend per question).
    public var questionSet = "faq"

    public init(url: String, email: String, password: String) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.email = email
        self.password = password
    }

    var questions: [String] { questionSet == "orders" ? Self.orderQuestions : Self.faqQuestions }

    /// Order-status questions with an order number the demo backend knows: the flow starts, calls `query_order`, ends.
    static let orderQuestions = [
        "我的订单 123456 到哪了", "订单 202405183379 发货了吗", "我的订单 888888 什么时候到", "my order 123456 where is it",
    ]

    /// Questions the demo workspace's bot answers without handing off (zh and en).
    static let faqQuestions = [
        "怎么退货", "运费多少钱", "多久发货", "how do I return an item", "how long does delivery take", "可以开发票吗",
        "how do I change my address", "优惠券怎么用",
    ]

    public struct Report: Encodable, Sendable {
        public var questionsSent = 0
        public var botReplies = 0
        public var unanswered = 0
        public var handedOff = 0
        public var throughputPerS = 0.0
        public var p50Ms = 0.0
        public var p99Ms = 0.0
        public var peakRssMb = 0.0
        public var customers = 0
        public var seconds = 0.0
        public var errors: [String: Int] = [:]

        enum CodingKeys: String, CodingKey {
            case questionsSent = "questions_sent"
            case botReplies = "bot_replies"
            case handedOff = "handed_off"
            case throughputPerS = "throughput_per_s"
            case p50Ms = "p50_ms"
            case p99Ms = "p99_ms"
            case peakRssMb = "peak_rss_mb"
            case unanswered, customers, seconds, errors
        }
    }

    /// What one customer is waiting for.
    private final class Waiting: Sendable {
        struct State {
            var sentAt: ContinuousClock.Instant?
            var sent = 0
            var latencies: [Double] = []
            var handedOff = false
            var conversation: String?
        }

        let state = Mutex(State())
    }

    public func run(progress: @escaping @Sendable (String) -> Void) async throws -> Report {
        let http = BenchHTTP(client: HTTPClient.shared, base: url)
        let key = try await http.owner(email: email, password: password).widgetKey
        let socketBase = http.socketBase
        let run = String(UUID().uuidString.prefix(8)).lowercased()
        let errors = Mutex<[String: Int]>([:])

        progress("opening \(customers) customers")
        var sockets: [(BenchSocket, Waiting)] = []
        for _ in 0..<customers {
            let waiting = Waiting()
            let welcomed = OneShot<Bool>()
            let socket = BenchSocket(url: socketBase + "/ws/v1/widget") { frame in
                let now = ContinuousClock.now
                switch frame.type {
                case "welcome": welcomed.fulfil(true)
                case "ack": waiting.state.withLock { $0.conversation = $0.conversation ?? frame.conversation }
                case "message" where frame.message?.sender == "bot":
                    waiting.state.withLock { state in
                        guard let sent = state.sentAt else { return }
                        state.latencies.append((now - sent).inMilliseconds)
                        state.sentAt = nil
                    }
                case "conversation" where frame.state?.status == "open":
                    waiting.state.withLock { $0.handedOff = true }
                case "error": errors.withLock { $0[frame.code ?? "unknown", default: 0] += 1 }
                default: break
                }
            }
            socket.send(["type": "hello", "v": 1, "widget_key": key, "locale": "zh-CN"])
            _ = try await welcomed.value(timeout: 30)
            sockets.append((socket, waiting))
        }

        progress("asking: \(rate) questions a second for \(seconds) s")
        let peak = Mutex(0.0)
        let sampler = Task {
            while !Task.isCancelled {
                if let bytes = await http.residentBytes() { peak.withLock { $0 = max($0, bytes) } }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        let perCustomer = rate / Double(customers)
        let rounds = max(1, Int((seconds * perCustomer).rounded()))
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for (index, (socket, waiting)) in sockets.enumerated() {
                group.addTask {
                    let offset = Double(index) / Double(customers) / perCustomer
                    for round in 0..<rounds {
                        try? await Task.sleep(until: start + .seconds(offset + Double(round) / perCustomer))
                        // One question at a time: the next waits for the previous answer (or is skipped).
                        let (busy, conversation) = waiting.state.withLock { ($0.sentAt != nil || $0.handedOff, $0.conversation) }
                        if busy { continue }
                        waiting.state.withLock {
                            $0.sentAt = ContinuousClock.now
                            $0.sent += 1
                        }
                        var frame: [String: Any] = [
                            "type": "send", "id": "bq-\(run)-\(index)-\(round)",
                            "text": questions[(index + round) % questions.count],
                        ]
                        if let conversation { frame["conversation"] = conversation }
                        socket.send(frame)
                    }
                }
            }
        }
        // Answers still on their way.
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline,
            sockets.contains(where: { $0.1.state.withLock { $0.sentAt != nil && !$0.handedOff } })
        {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let elapsed = (ContinuousClock.now - start).inSeconds
        sampler.cancel()
        for (socket, _) in sockets { socket.close() }

        var report = Report()
        let states = sockets.map { $0.1.state.withLock { $0 } }
        let latencies = states.flatMap(\.latencies)
        report.questionsSent = states.map(\.sent).reduce(0, +)
        report.botReplies = latencies.count
        report.unanswered = states.filter { $0.sentAt != nil }.count
        report.handedOff = states.filter(\.handedOff).count
        report.p50Ms = Percentile.of(latencies, 0.5)
        report.p99Ms = Percentile.of(latencies, 0.99)
        report.throughputPerS = elapsed > 0 ? Double(latencies.count) / elapsed : 0
        report.peakRssMb = peak.withLock { $0 } / 1_048_576
        report.customers = customers
        report.seconds = elapsed
        report.errors = errors.withLock { $0 }
        return report
    }
}
