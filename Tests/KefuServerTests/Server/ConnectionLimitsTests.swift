import Foundation
import HummingbirdTesting
import KefuServer
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// A real server on a real port: sockets that dawdle are closed, malformed heads are answered and closed, and
/// connections beyond the server's or one address's limit are refused, while the server keeps answering.
@Suite struct ConnectionLimitsTests {
    /// A raw TCP connection to the server under test.
    struct RawConnection {
        let channel: any Channel
        let collector: Collector

        /// Keeps what the server sent.
        final class Collector: ChannelInboundHandler, Sendable {
            typealias InboundIn = ByteBuffer
            private let text = NIOLockedValueBox("")

            func channelRead(context: ChannelHandlerContext, data: NIOAny) {
                let buffer = unwrapInboundIn(data)
                text.withLockedValue { $0 += String(buffer: buffer) }
            }

            var received: String { text.withLockedValue { $0 } }
        }

        var received: String { collector.received }

        static func open(port: Int) async throws -> RawConnection {
            let collector = Collector()
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in channel.pipeline.addHandler(collector) }
                .connect(host: "127.0.0.1", port: port).get()
            return RawConnection(channel: channel, collector: collector)
        }

        func send(_ text: String) async throws {
            try await channel.writeAndFlush(ByteBuffer(string: text)).get()
        }

        func send(bytes: [UInt8]) async throws {
            try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
        }

        /// Whether the server closed the connection before `limit`.
        func isClosed(within limit: Duration) async -> Bool {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask { (try? await channel.closeFuture.get()) != nil }
                group.addTask {
                    try? await Task.sleep(for: limit)
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
        }

        /// Sends one request and waits (bounded) for the end of the answer's head: what arrived by then.
        func exchange(_ request: String, within limit: Duration = .seconds(20)) async throws -> String {
            let before = received.count
            try? await send(request)
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                let answer = String(received.dropFirst(before))
                if answer.contains("\r\n\r\n") || !channel.isActive { return answer }
                try await Task.sleep(for: .milliseconds(10))
            }
            return String(received.dropFirst(before))
        }
    }

    static let health = "GET /health HTTP/1.1\r\nHost: kefu\r\n\r\n"

    @Test func dawdlingClientsAreDroppedAndConnectionsAreCapped() async throws {
        try await TestApp.run(
            live: true,
            configure: {
                // Long enough that the held connections below outlive a slow moment of a loaded machine.
                $0.httpIdleTimeoutSeconds = 8
                $0.httpReadTimeoutSeconds = 1
                $0.maxConnections = 4
            }
        ) { _, client in
            let port = try #require(client.port)
            let partialHeaders = try await RawConnection.open(port: port)
            // On a loaded machine the server may drop a connection before the next line sends on it: closed either way.
            try? await partialHeaders.send("GET /health HTTP/1.1\r\nHost: kefu\r\n")
            let silent = try await RawConnection.open(port: port)
            let slowBody = try await RawConnection.open(port: port)
            try? await slowBody.send(
                "POST /api/v1/auth/token HTTP/1.1\r\nHost: kefu\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"e"
            )
            #expect(await partialHeaders.isClosed(within: .seconds(30)))
            #expect(await silent.isClosed(within: .seconds(30)))
            #expect(await slowBody.isClosed(within: .seconds(30)))

            // The test client's own keep-alive connection has been idle longer than the timeout too, so it is gone.
            // Each held connection is served once first: the server has counted it before the next one opens.
            var held: [RawConnection] = []
            for _ in 0..<4 {
                let connection = try await RawConnection.open(port: port)
                #expect(try await connection.exchange(Self.health).hasPrefix("HTTP/1.1 200"))
                held.append(connection)
            }
            let overLimit = try await RawConnection.open(port: port)
            #expect(await overLimit.isClosed(within: .seconds(20)))
            #expect(try await held[0].exchange(Self.health).hasPrefix("HTTP/1.1 200"), "a held connection is still served")
            for connection in held { try? await connection.channel.close() }
            #expect(try await Self.servedOnceCountedOut(port: port), "a new connection is served once the held ones are gone")
        }
    }

    /// Heads the HTTP parser refuses are answered 400 and closed at once, long before any idle timeout; a server capped
    /// at four connections still serves after many of them.
    @Test func malformedHeadsAreAnswered400AndClosed() async throws {
        try await TestApp.run(
            live: true,
            configure: {
                $0.httpIdleTimeoutSeconds = 120
                $0.maxConnections = 4
            }
        ) { _, client in
            let port = try #require(client.port)
            let heads = [
                "FOO / HTTP/1.1\r\nHost: kefu\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: ke\u{0}fu\r\n\r\n",
                "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: kefu\r\nContent-Length: -5\r\n\r\n",
                "GET / HTTP/9.9.9\r\n\r\n",
            ]
            let clientHello: [UInt8] =
                [0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03] + Array(repeating: 0, count: 40)
            // Three rounds through a server of four connections: a head that held its connection would block it.
            for round in 0..<3 {
                for head in heads {
                    let connection = try await RawConnection.open(port: port)
                    try? await connection.send(head)
                    #expect(await connection.isClosed(within: .seconds(60)), "round \(round): \(head.debugDescription)")
                    #expect(connection.received.hasPrefix("HTTP/1.1 400"), "\(head.debugDescription): \(connection.received)")
                }
                let tls = try await RawConnection.open(port: port)
                try? await tls.send(bytes: clientHello)
                #expect(await tls.isClosed(within: .seconds(60)), "TLS bytes on the plain port")
                #expect(tls.received.hasPrefix("HTTP/1.1 400"), "TLS bytes: \(tls.received)")
            }
            #expect(try await Self.servedOnceCountedOut(port: port))
        }
    }

    /// One address holds at most `maxConnectionsPerAddress` connections (loopback counted unless exempted); the rest
    /// of the server's capacity stays for others.
    @Test func oneAddressCannotHoldEveryConnection() async throws {
        try await TestApp.run(
            live: true,
            configure: {
                $0.maxConnections = 100
                $0.maxConnectionsPerAddress = 2
            }
        ) { _, client in
            let port = try #require(client.port)
            var held: [RawConnection] = []
            var refused = false
            // The test client's own connection may hold one of the two: fill up, whatever it holds.
            while held.count < 3 {
                let connection = try await RawConnection.open(port: port)
                let answer = try await connection.exchange(Self.health, within: .seconds(20))
                guard answer.hasPrefix("HTTP/1.1 200") else {
                    refused = await connection.isClosed(within: .seconds(20))
                    break
                }
                held.append(connection)
            }
            #expect(refused, "the connection over the address's limit is closed")
            #expect(held.count <= 2, "no more than two connections from one address")
            for connection in held { try? await connection.channel.close() }
            #expect(try await Self.servedOnceCountedOut(port: port))
        }
    }

    /// Whether a fresh connection gets served: the server counts a closed connection out when it sees the close, so
    /// this retries (bounded) until it has.
    static func servedOnceCountedOut(port: Int) async throws -> Bool {
        for _ in 0..<100 {
            let fresh = try await RawConnection.open(port: port)
            let served = try await fresh.exchange(Self.health, within: .seconds(10)).hasPrefix("HTTP/1.1 200")
            try? await fresh.channel.close()
            if served { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
