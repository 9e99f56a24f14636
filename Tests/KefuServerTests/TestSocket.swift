import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore

/// A chat-protocol client for tests: frames go out as JSON objects and come back parsed, in order.
struct TestSocket {
    private var frames: AsyncStream<String>.AsyncIterator
    private let outgoing: AsyncStream<String?>.Continuation
    private let connection: Task<Void, any Error>

    static func open(port: Int?, path: String, headers: HTTPFields = [:]) throws -> TestSocket {
        guard let port else { throw TestFailure("sockets need a live test server") }
        let (incoming, received) = AsyncStream.makeStream(of: String.self)
        let (outbox, outgoing) = AsyncStream.makeStream(of: String?.self)
        var logger = Logger(label: "test-socket")
        logger.logLevel = .critical
        let connection = Task {
            defer { received.finish() }
            _ = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)\(path)",
                configuration: .init(maxFrameSize: 1 << 17, additionalHeaders: headers), logger: logger
            ) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await message in inbound.messages(maxSize: 1 << 20) {
                            if case .text(let text) = message { received.yield(text) }
                        }
                    }
                    group.addTask {
                        for await text in outbox {
                            guard let text else {
                                try await outbound.close(.normalClosure, reason: nil)
                                return
                            }
                            try await outbound.write(.text(text))
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        }
        return TestSocket(frames: incoming.makeAsyncIterator(), outgoing: outgoing, connection: connection)
    }

    func send(_ frame: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: frame)) ?? Data()
        outgoing.yield(String(decoding: data, as: UTF8.self))
    }

    func sendRaw(_ text: String) { outgoing.yield(text) }

    /// The next frame; nil once the server closed the socket.
    mutating func next() async -> [String: Any]? {
        guard let text = await frames.next() else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    /// The next frame of this type, skipping others (typing, conversation updates, …).
    mutating func next(_ type: String) async throws -> [String: Any] {
        while let frame = await next() {
            if frame["type"] as? String == type { return frame }
        }
        throw TestFailure("the socket closed before a \(type) frame")
    }

    /// Every frame until one of `type` arrives, inclusive.
    mutating func frames(until type: String) async throws -> [[String: Any]] {
        var seen: [[String: Any]] = []
        while let frame = await next() {
            seen.append(frame)
            if frame["type"] as? String == type { return seen }
        }
        throw TestFailure("the socket closed before a \(type) frame; saw \(seen)")
    }

    func close() {
        outgoing.yield(nil)
        outgoing.finish()
    }

    /// Waits until the connection is over (after `close()` or the server's close).
    func closed() async { _ = await connection.result }
}
