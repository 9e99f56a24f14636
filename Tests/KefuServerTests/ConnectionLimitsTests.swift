import Foundation
import HummingbirdTesting
import KefuServer
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// A real server on a real port: sockets that dawdle are closed, and connections beyond the limit are refused,
/// while the server keeps answering.
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
    }

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
            #expect(await partialHeaders.isClosed(within: .seconds(20)))
            #expect(await silent.isClosed(within: .seconds(20)))
            #expect(await slowBody.isClosed(within: .seconds(20)))

            // The test client's own keep-alive connection has been idle longer than the timeout too, so it is gone.
            var held: [RawConnection] = []
            for _ in 0..<4 { held.append(try await RawConnection.open(port: port)) }
            try await Task.sleep(for: .milliseconds(200))
            let overLimit = try await RawConnection.open(port: port)
            #expect(await overLimit.isClosed(within: .seconds(3)))
            #expect(await !held[0].isClosed(within: .milliseconds(100)))
            for connection in held { try? await connection.channel.close() }
            try await Task.sleep(for: .milliseconds(300))
            let fresh = try await RawConnection.open(port: port)
            try await fresh.send("GET /health HTTP/1.1\r\nHost: kefu\r\nConnection: close\r\n\r\n")
            #expect(await fresh.isClosed(within: .seconds(5)))
            #expect(fresh.received.contains("HTTP/1.1 200"))
        }
    }
}
