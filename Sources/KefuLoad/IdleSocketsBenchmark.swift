import AsyncHTTPClient
import Foundation
import Synchronization

/// `kefu bench chat-idle`: what an open but quiet widget costs the server. Reads the server's resident memory from
/// `/metrics`, opens `connections` widget sockets (each says hello, as a page with the widget does), waits for the
/// server to settle, reads it again; the difference over the count is the memory per idle connection.
public struct IdleSocketsBenchmark: Sendable {
    public var url: String
    public var email: String
    public var password: String
    public var connections = 1000
    /// Hellos a second while opening (each is one frame from this address).
    public var openRate = 150.0

    public init(url: String, email: String, password: String) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.email = email
        self.password = password
    }

    public struct Report: Encodable, Sendable {
        public var connections = 0
        public var rssBeforeMb = 0.0
        public var rssAfterMb = 0.0
        public var kbPerConnection = 0.0

        enum CodingKeys: String, CodingKey {
            case connections
            case rssBeforeMb = "rss_before_mb"
            case rssAfterMb = "rss_after_mb"
            case kbPerConnection = "kb_per_connection"
        }
    }

    public func run(progress: @escaping @Sendable (String) -> Void) async throws -> Report {
        let http = BenchHTTP(client: HTTPClient.shared, base: url)
        let key = try await http.owner(email: email, password: password).widgetKey
        let socketBase = http.socketBase
        try await Task.sleep(for: .seconds(2))
        guard let before = await http.residentBytes() else { throw BenchHTTP.Failure(description: "no /metrics") }

        progress("opening \(connections) idle widget sockets")
        let welcomed = Atomic<Int>(0)
        var sockets: [BenchSocket] = []
        let start = ContinuousClock.now
        for index in 0..<connections {
            try? await Task.sleep(until: start + .seconds(Double(index) / openRate))
            let socket = BenchSocket(url: socketBase + "/ws/v1/widget") { frame in
                if frame.type == "welcome" { welcomed.wrappingAdd(1, ordering: .relaxed) }
            }
            socket.send(["type": "hello", "v": 1, "widget_key": key, "locale": "zh-CN"])
            sockets.append(socket)
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while welcomed.load(ordering: .relaxed) < connections, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        progress("\(welcomed.load(ordering: .relaxed)) open; settling")
        try await Task.sleep(for: .seconds(5))
        let after = await http.residentBytes() ?? before
        for socket in sockets { socket.close() }

        let open = welcomed.load(ordering: .relaxed)
        var report = Report()
        report.connections = open
        report.rssBeforeMb = (before / 1_048_576 * 10).rounded() / 10
        report.rssAfterMb = (after / 1_048_576 * 10).rounded() / 10
        report.kbPerConnection = open > 0 ? ((after - before) / 1024 / Double(open) * 10).rounded() / 10 : 0
        return report
    }
}
