import Foundation
import Synchronization

/// A load-tool customer: their socket and what they must say again after a reconnect (hello with their visitor
/// token, the conversation with the last sequence seen, messages not yet acknowledged).
struct CustomerLink: Sendable {
    let socket: BenchSocket
    let state: State

    final class State: Sendable {
        private struct Fields {
            var token: String?
            var conversation: String?
            var lastSeq = 0
            var unacked: [(id: String, text: String)] = []
        }

        let widgetKey: String
        private let fields = Mutex(Fields())

        init(widgetKey: String) { self.widgetKey = widgetKey }

        func greeting() -> [String] {
            fields.withLock { fields in
                var hello: [String: Any] = ["type": "hello", "v": 1, "widget_key": widgetKey, "locale": "zh-CN"]
                if let token = fields.token { hello["visitor_token"] = token }
                var frames = [BenchSocket.encode(hello)]
                if let conversation = fields.conversation { frames.append(Self.subscribe(conversation, fields.lastSeq)) }
                return frames.compactMap { $0 } + fields.unacked.map(\.text)
            }
        }

        static func subscribe(_ conversation: String, _ last: Int) -> String? {
            BenchSocket.encode(["type": "subscribe", "id": "sub-" + conversation, "conversation": conversation, "last_seq": last])
        }

        /// The frame a `rate_limited` error with this id refused, as it should be sent now; nil when settled.
        func retry(_ id: String) -> String? {
            fields.withLock { fields in
                if id.hasPrefix("sub-"), let conversation = fields.conversation {
                    return Self.subscribe(conversation, fields.lastSeq)
                }
                return fields.unacked.first { $0.id == id }?.text
            }
        }

        func welcomed(_ token: String?) { fields.withLock { $0.token = token ?? $0.token } }
        func follow(_ conversation: String?) { fields.withLock { $0.conversation = $0.conversation ?? conversation } }
        func sending(_ id: String, _ text: String) { fields.withLock { $0.unacked.append((id, text)) } }
        func acknowledged(_ id: String) { fields.withLock { $0.unacked.removeAll { $0.id == id } } }

        /// False for a message already seen (a resumed subscription may repeat the last ones).
        func fresh(_ seq: Int) -> Bool {
            fields.withLock { fields in
                guard seq > fields.lastSeq else { return false }
                fields.lastSeq = seq
                return true
            }
        }
    }

    func send(_ frame: [String: Any]) {
        guard let id = frame["id"] as? String, let text = BenchSocket.encode(frame) else { return }
        state.sending(id, text)
        socket.send(frame)
    }
}

/// A load-tool agent: their socket, the conversations they follow with the last sequence seen in each, and their
/// replies not yet acknowledged.
struct AgentLink: Sendable {
    let socket: BenchSocket
    let state: State

    final class State: Sendable {
        private struct Fields {
            var following: [String: Int] = [:]
            var synced: Set<String> = []
            var unacked: [(id: String, text: String)] = []
        }

        private let fields = Mutex(Fields())

        func greeting() -> [String] {
            fields.withLock { fields in
                var frames = [BenchSocket.encode(["type": "hello", "v": 1])]
                for (conversation, last) in fields.following.sorted(by: { $0.key < $1.key }) {
                    frames.append(CustomerLink.State.subscribe(conversation, last))
                }
                return frames.compactMap { $0 } + fields.unacked.map(\.text)
            }
        }

        func retry(_ id: String) -> String? {
            fields.withLock { fields in
                if id.hasPrefix("sub-") {
                    let conversation = String(id.dropFirst(4))
                    guard let last = fields.following[conversation] else { return nil }
                    return CustomerLink.State.subscribe(conversation, last)
                }
                return fields.unacked.first { $0.id == id }?.text
            }
        }

        func follow(_ conversation: String) { fields.withLock { $0.following[conversation] = $0.following[conversation] ?? 0 } }

        /// True the first time the conversation is synced.
        func synced(_ conversation: String, _ lastSeq: Int) -> Bool {
            fields.withLock { $0.synced.insert(conversation).inserted }
        }

        func fresh(_ conversation: String, _ seq: Int) -> Bool {
            fields.withLock { fields in
                guard seq > fields.following[conversation, default: 0] else { return false }
                fields.following[conversation] = seq
                return true
            }
        }

        func sending(_ id: String, _ frame: [String: Any]) {
            guard let text = BenchSocket.encode(frame) else { return }
            fields.withLock { $0.unacked.append((id, text)) }
        }

        func acknowledged(_ id: String) { fields.withLock { $0.unacked.removeAll { $0.id == id } } }
    }

    func subscribe(_ conversation: String) {
        state.follow(conversation)
        socket.send(text: CustomerLink.State.subscribe(conversation, 0) ?? "")
    }
}
