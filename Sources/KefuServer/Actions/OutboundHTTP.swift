import AsyncHTTPClient
import KefuCore
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Everything that leaves the process over HTTP — business actions and webhooks — goes through this: one client that
/// never follows redirects itself (the caller re-checks every hop) and the threads for the outbound guard's name
/// lookups (on the process-wide pool a lookup waited behind password hashing and spent the call's time-out). The
/// composition root makes one; tests make their own. It is a service: it shuts down when the server stops.
final class OutboundHTTP: Service, Sendable {
    let client: HTTPClient
    let lookups: NIOThreadPool
    private let closed = Mutex(false)

    init() {
        client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                // A body that trickles in is cut off: the request's own deadline ends when the headers arrive.
                timeout: .init(
                    connect: .seconds(5), read: .seconds(Int64(BusinessAction.maxTimeoutMilliseconds / 1000))),
                decompression: .disabled))
        lookups = NIOThreadPool(numberOfThreads: 4)
        lookups.start()
    }

    func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Idempotent: the server's service and the owner of the dependencies may both call it.
    func shutdown() async {
        guard
            closed.withLock({ closed in
                defer { closed = true }; return !closed
            })
        else { return }
        try? await client.shutdown()
        try? await lookups.shutdownGracefully()
    }
}
