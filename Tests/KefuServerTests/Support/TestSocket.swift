import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization
import Testing

/// A chat-protocol client for tests: frames go out as JSON objects and come back parsed, in order.
struct TestSocket {
    private let inbox: Inbox
    private let path: String
    /// How long `next()` waits for a frame before it records an issue and answers nil: a test that waits on a socket
    /// fails in seconds with the socket named, instead of hanging until the suite's time limit.
    static let frameTimeout = Duration.seconds(20)
    private let outgoing: AsyncStream<String?>.Continuation
    private let connection: Task<Void, any Error>

    static func open(port: Int?, path: String, headers: HTTPFields = [:]) throws -> TestSocket {
        guard let port else { throw TestFailure("sockets need a live test server") }
        let inbox = Inbox()
        let (outbox, outgoing) = AsyncStream.makeStream(of: String?.self)
        var logger = Logger(label: "test-socket")
        logger.logLevel = .critical
        let connection = Task {
            defer { inbox.finish() }
            _ = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)\(path)",
                configuration: .init(maxFrameSize: 1 << 17, additionalHeaders: headers), logger: logger
            ) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await message in inbound.messages(maxSize: 1 << 20) {
                            if case .text(let text) = message { inbox.append(text) }
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
        return TestSocket(inbox: inbox, path: path, outgoing: outgoing, connection: connection)
    }

    func send(_ frame: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: frame)) ?? Data()
        outgoing.yield(String(decoding: data, as: UTF8.self))
    }

    func sendRaw(_ text: String) { outgoing.yield(text) }

    /// The next frame; nil once the server closed the socket.
    mutating func next(sourceLocation: SourceLocation = #_sourceLocation) async -> [String: Any]? {
        let deadline = ContinuousClock.now + Self.frameTimeout
        while true {
            switch inbox.take() {
            case .frame(let text): return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
            case .closed: return nil
            case .empty:
                guard ContinuousClock.now < deadline else {
                    Issue.record("no frame and no close on \(path) within \(Self.frameTimeout)", sourceLocation: sourceLocation)
                    return nil
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    /// The next frame of this type, skipping others (typing, conversation updates, …).
    mutating func next(_ type: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        while let frame = await next(sourceLocation: sourceLocation) {
            if frame["type"] as? String == type { return frame }
        }
        throw TestFailure("the socket closed before a \(type) frame")
    }

    /// Every frame until one of `type` arrives, inclusive.
    mutating func frames(until type: String, sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> [[String: Any]]
    {
        var seen: [[String: Any]] = []
        while let frame = await next(sourceLocation: sourceLocation) {
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

    static func widgetKey(_ app: TestApp, _ slug: String) async throws -> String {
        try #require(try await app.dependencies.store.unscoped.workspaces.workspace(slug: slug)?.widgetKey)
    }

    /// A widget visitor's socket after its welcome (which is returned too).
    static func visitor(_ client: any TestClientProtocol, key: String, token: String? = nil) async throws
        -> (TestSocket, [String: Any])
    {
        var socket = try TestSocket.open(port: client.port, path: "/ws/v1/widget")
        var hello: [String: Any] = ["type": "hello", "v": 1, "widget_key": key, "locale": "zh-CN"]
        if let token { hello["visitor_token"] = token }
        socket.send(hello)
        let welcome = try await socket.next("welcome")
        return (socket, welcome)
    }

    /// An agent's socket after its welcome.
    static func agent(_ client: any TestClientProtocol, token: String) async throws -> TestSocket {
        var socket = try TestSocket.open(
            port: client.port, path: "/ws/v1/agent", headers: [.authorization: "Bearer \(token)"])
        socket.send(["type": "hello", "v": 1])
        _ = try await socket.next("welcome")
        return socket
    }

    /// The HTTP status of an upgrade request the server refuses. A client of its own: an upgrade request on a
    /// connection that already carried requests is answered with a redirect to a fresh one.
    static func refusal(_ client: any TestClientProtocol, path: String, headers: HTTPFields = [:]) async throws
        -> HTTPResponse.Status
    {
        guard let port = client.port else { throw TestFailure("sockets need a live test server") }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            for field in headers { request.headers.add(name: field.name.rawName, value: field.value) }
            request.headers.add(name: "Connection", value: "Upgrade")
            request.headers.add(name: "Upgrade", value: "websocket")
            request.headers.add(name: "Sec-WebSocket-Version", value: "13")
            request.headers.add(name: "Sec-WebSocket-Key", value: "dGhlIHNhbXBsZSBub25jZQ==")
            let response = try await http.execute(request, timeout: .seconds(20))
            try await http.shutdown()
            return HTTPResponse.Status(code: Int(response.status.code))
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}

/// Frames a test socket received and not yet read, and whether the connection is over.
private final class Inbox: Sendable {
    enum Taken { case frame(String), empty, closed }

    private let state = Mutex<(frames: [String], finished: Bool)>(([], false))

    func append(_ text: String) { state.withLock { $0.frames.append(text) } }

    func finish() { state.withLock { $0.finished = true } }

    func take() -> Taken {
        state.withLock { state in
            if !state.frames.isEmpty { return .frame(state.frames.removeFirst()) }
            return state.finished ? .closed : .empty
        }
    }
}
