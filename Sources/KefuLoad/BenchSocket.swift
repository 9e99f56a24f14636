import Foundation
import HTTPTypes
import HummingbirdWSClient
import KefuCore
import Logging
import NIOCore
import Synchronization

/// One chat socket of the load tool, speaking docs/CHAT-PROTOCOL.md v1: frames go out through `send`, every frame
/// that comes in is handed to `onFrame` on the socket's own task. Given several server URLs and a `greeting`, it
/// behaves as the widget does when a server goes away: it connects to the next one, sends the greeting first (hello,
/// subscriptions with the last sequence seen, unacknowledged messages again) and then what was sent meanwhile.
final class BenchSocket: Sendable {
    private struct Link {
        var current: AsyncStream<String>.Continuation?
        var backlog: [String] = []
        var closed = false
    }

    private final class Shared: Sendable {
        let link = Mutex(Link())
        let reconnects = Atomic<Int>(0)
    }

    private let shared = Shared()
    private let task: Task<Void, Never>

    /// The fields of incoming frames the load tool looks at.
    struct Frame: Decodable, Sendable {
        struct Message: Decodable, Sendable {
            enum CodingKeys: String, CodingKey {
                case clientID = "client_id"
                case sender, id, seq
            }

            var id: String?
            var clientID: String?
            var sender: String?
            var seq: Int?
        }

        struct User: Decodable, Sendable {
            var id: String?
        }

        struct State: Decodable, Sendable {
            var status: String?
        }

        enum CodingKeys: String, CodingKey {
            case type, id, conversation, seq, message, user, code, state
            case visitorToken = "visitor_token"
            case messageID = "message_id"
            case lastSeq = "last_seq"
        }

        var type: String
        var id: String?
        var conversation: String?
        var seq: Int?
        var lastSeq: Int?
        var visitorToken: String?
        var messageID: String?
        var message: Message?
        var user: User?
        var code: String?
        var state: State?
    }

    convenience init(url: String, headers: [(String, String)] = [], onFrame: @escaping @Sendable (Frame) -> Void) {
        self.init(urls: [url], headers: headers, greeting: nil, onFrame: onFrame)
    }

    /// `greeting` nil: one connection, no reconnecting. `pace` keeps the frames a connection writes under the
    /// server's per-connection limit (a resumed agent resubscribes to every conversation at once otherwise).
    init(
        urls: [String], first: Int = 0, headers: [(String, String)] = [], pace: (perSecond: Double, burst: Double)? = nil,
        greeting: (@Sendable () -> [String])?, onFrame: @escaping @Sendable (Frame) -> Void,
        onDrop: (@Sendable () -> Void)? = nil
    ) {
        var logger = Logger(label: "bench-socket")
        logger.logLevel = .critical
        var fields = HTTPFields()
        for (name, value) in headers { if let key = HTTPField.Name(name) { fields[key] = value } }
        let configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20, additionalHeaders: fields)
        let shared = self.shared
        task = Task {
            var index = first
            while true {
                let (stream, continuation) = AsyncStream.makeStream(of: String.self)
                let opening = shared.link.withLock { link -> [String]? in
                    guard !link.closed else { return nil }
                    link.current = continuation
                    defer { link.backlog.removeAll() }
                    return link.backlog
                }
                guard let backlog = opening else { return }
                for text in backlog { continuation.yield(text) }
                let url = urls[index % urls.count]
                let greetingFrames = greeting?() ?? []
                _ = try? await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) {
                    inbound, outbound, _ in
                    var pacer = pace.map { Pacer(perSecond: $0.perSecond, burst: $0.burst) }
                    for text in greetingFrames {
                        await pacer?.admit()
                        try await outbound.write(.text(text))
                    }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            let decoder = JSONDecoder()
                            for try await message in inbound.messages(maxSize: 1 << 20) {
                                guard case .text(let text) = message,
                                    let frame = try? decoder.decode(Frame.self, from: Data(text.utf8))
                                else { continue }
                                onFrame(frame)
                            }
                        }
                        group.addTask { [pacer] in
                            var pacer = pacer
                            for await text in stream {
                                await pacer?.admit()
                                try await outbound.write(.text(text))
                            }
                            try await outbound.close(.normalClosure, reason: nil)
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
                let stop = shared.link.withLock { link in
                    link.current = nil
                    return link.closed
                }
                if stop || greeting == nil { return }
                onDrop?()
                shared.reconnects.wrappingAdd(1, ordering: .relaxed)
                index += 1
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// How many times the socket had to connect again.
    var reconnects: Int { shared.reconnects.load(ordering: .relaxed) }

    func send(_ frame: [String: Any]) {
        guard let text = Self.encode(frame) else { return }
        send(text: text)
    }

    /// Sends the frame again after a pause, as the widget does after `rate_limited`.
    func resend(_ text: String?, after delay: Duration = .seconds(1)) {
        guard let text else { return }
        Task {
            try? await Task.sleep(for: delay)
            send(text: text)
        }
    }

    /// A frame already encoded (a resend).
    func send(text: String) {
        shared.link.withLock { link in
            guard !link.closed else { return }
            if let current = link.current, case .enqueued = current.yield(text) { return }
            link.backlog.append(text)
        }
    }

    static func encode(_ frame: [String: Any]) -> String? {
        guard let data = try? JSONSerialization.data(withJSONObject: frame) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    func close() {
        let current = shared.link.withLock { link in
            link.closed = true
            return link.current
        }
        current?.finish()
    }

    func closed() async { await task.value }
}

/// A token bucket a writer waits on: at most `burst` frames at once, `perSecond` after that.
struct Pacer: Sendable {
    let perSecond: Double
    let burst: Double
    private var tokens: Double
    private var last = ContinuousClock.now

    init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
        tokens = burst
    }

    mutating func admit() async {
        while true {
            let now = ContinuousClock.now
            tokens = min(burst, tokens + (now - last).inSeconds * perSecond)
            last = now
            if tokens >= 1 {
                tokens -= 1
                return
            }
            try? await Task.sleep(for: .seconds((1 - tokens) / perSecond))
        }
    }
}
