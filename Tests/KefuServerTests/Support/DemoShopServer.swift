import AsyncHTTPClient
import Hummingbird
import KefuDemoShop

@testable import KefuServer

/// The demo shop's backend as a real HTTP server on a free loopback port, checking signatures with the secret given.
enum DemoShopServer {
    static func run(
        secret: @escaping @Sendable () async -> String?, _ body: @escaping @Sendable (Int, DemoShopBackend) async throws -> Void
    ) async throws {
        let backend = DemoShopBackend(signingSecret: secret)
        try await LocalHTTPServer.run(backend.router()) { port in try await body(port, backend) }
    }
}

/// A real HTTP server on a free loopback port for the duration of `body`, answering before `body` starts.
enum LocalHTTPServer {
    static func run<Context: RequestContext>(
        _ router: Router<Context>, _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws where Context: InitializableFromSource<ApplicationRequestContextSource> {
        let port = try await DemoShopActions.freePort()
        let server = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.runService() }
            // Until it answers.
            for _ in 0..<200 {
                let probe = HTTPClientRequest(url: "http://127.0.0.1:\(port)/")
                if (try? await HTTPClient.shared.execute(probe, timeout: .seconds(1))) != nil { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            try await body(port)
            group.cancelAll()
        }
    }
}
