import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore

/// One chat socket of the load tool, speaking docs/CHAT-PROTOCOL.md v1: frames go out through `send`, every frame
/// that comes in is handed to `onFrame` on the socket's own task.
final class BenchSocket: Sendable {
    private let outgoing: AsyncStream<String>.Continuation
    private let task: Task<Void, any Error>

    /// The fields of incoming frames the load tool looks at.
    struct Frame: Decodable, Sendable {
        struct Message: Decodable, Sendable {
            enum CodingKeys: String, CodingKey {
                case clientID = "client_id"
                case sender, id
            }

            var id: String?
            var clientID: String?
            var sender: String?
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
        }

        var type: String
        var id: String?
        var conversation: String?
        var seq: Int?
        var visitorToken: String?
        var messageID: String?
        var message: Message?
        var user: User?
        var code: String?
        var state: State?
    }

    init(url: String, headers: [(String, String)] = [], onFrame: @escaping @Sendable (Frame) -> Void) {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        outgoing = continuation
        var logger = Logger(label: "bench-socket")
        logger.logLevel = .critical
        var fields = HTTPFields()
        for (name, value) in headers { if let key = HTTPField.Name(name) { fields[key] = value } }
        let configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20, additionalHeaders: fields)
        task = Task {
            _ = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) {
                inbound, outbound, _ in
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
                    group.addTask {
                        for await text in stream { try await outbound.write(.text(text)) }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    func send(_ frame: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: frame) else { return }
        outgoing.yield(String(decoding: data, as: UTF8.self))
    }

    func close() { outgoing.finish() }

    func closed() async { _ = await task.result }
}
