import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuCore
import KefuServer
import KefuStore
import KefuTestSupport
import Logging
import NIOCore
import Testing

/// A real application on a fresh database (SQLite in memory, or a new PostgreSQL database), driven in-process.
struct TestApp: Sendable {
    let dependencies: AppDependencies
    let catalog: RouteCatalog

    static let password = "correct horse battery"

    /// Each run waits for a slot (`TestSlots.servers`), then has `limit` to finish; a test that hangs fails naming
    /// where it was started instead of holding the whole run.
    static func run(
        _ db: TestDatabase = .sqlite, live: Bool = false, within limit: Duration = .seconds(240),
        configure: @escaping @Sendable (inout AppConfig) -> Void = { _ in },
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: @escaping @Sendable (TestApp, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestSlots.servers.withSlot {
            try await withDeadline(limit, "the test server started at \(sourceLocation)") {
                try await serve(db, live: live, configure: configure, body)
            }
        }
    }

    private static func serve(
        _ db: TestDatabase, live: Bool, configure: (inout AppConfig) -> Void,
        _ body: @escaping @Sendable (TestApp, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await db.withURL { url in
            var config = AppConfig()
            config.databaseURL = url
            config.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("kefu-test-\(UUID())").path
            config.secretKey = "test-secret-key-that-is-long-enough-0123456789"
            configure(&config)
            defer { try? FileManager.default.removeItem(atPath: config.dataDirectory) }
            var logger = Logger(label: "test")
            logger.logLevel =
                ProcessInfo.processInfo.environment["KEFU_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
            let deps = try await AppDependencies.prepare(config, logger: logger, hasher: PasswordHasher(cost: 10))
            let catalog = RouteCatalog()
            let app = buildApplication(deps, logger: logger, catalog: catalog)
            do {
                try await app.test(live ? .live : .router) { client in
                    let checked = ContractCheckingClient(inner: client, contract: deps.contract)
                    try await body(TestApp(dependencies: deps, catalog: catalog), checked)
                }
                await deps.shutdown()
            } catch {
                await deps.shutdown()
                throw error
            }
        }
    }

    /// Two instances on one fresh PostgreSQL database, both serving on ports of their own, as behind a load
    /// balancer. Skipped (returns at once) without `KEFU_TEST_POSTGRES_URL`.
    static func runPair(
        within limit: Duration = .seconds(240), sourceLocation: SourceLocation = #_sourceLocation,
        _ body: @escaping @Sendable (TestApp, any TestClientProtocol, TestApp, any TestClientProtocol) async throws -> Void
    ) async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        try await TestSlots.servers.withSlot {
            try await withDeadline(limit, "the two test servers started at \(sourceLocation)") {
                try await servePair(body)
            }
        }
    }

    private static func servePair(
        _ body: @escaping @Sendable (TestApp, any TestClientProtocol, TestApp, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestDatabase.postgres.withURL { url in
            var config = AppConfig()
            config.databaseURL = url
            config.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("kefu-test-\(UUID())").path
            config.secretKey = "test-secret-key-that-is-long-enough-0123456789"
            defer { try? FileManager.default.removeItem(atPath: config.dataDirectory) }
            var logger = Logger(label: "test")
            logger.logLevel =
                ProcessInfo.processInfo.environment["KEFU_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
            let first = try await AppDependencies.prepare(config, logger: logger, hasher: PasswordHasher(cost: 10))
            let second = try await AppDependencies.prepare(config, logger: logger, hasher: PasswordHasher(cost: 10))
            let (catalogA, catalogB) = (RouteCatalog(), RouteCatalog())
            let appA = buildApplication(first, logger: logger, catalog: catalogA)
            let appB = buildApplication(second, logger: logger, catalog: catalogB)
            do {
                try await appA.test(.live) { clientA in
                    try await appB.test(.live) { clientB in
                        try await body(
                            TestApp(dependencies: first, catalog: catalogA),
                            ContractCheckingClient(inner: clientA, contract: first.contract),
                            TestApp(dependencies: second, catalog: catalogB),
                            ContractCheckingClient(inner: clientB, contract: second.contract))
                    }
                }
            } catch {
                await first.shutdown()
                await second.shutdown()
                throw error
            }
            await first.shutdown()
            await second.shutdown()
        }
    }

    /// Waits until the instance hears the other instances (its PostgreSQL listener is listening).
    func listening() async throws {
        guard let bus = dependencies.events as? PostgresEventBus else { return }
        for _ in 0..<500 where !bus.isListening { try await Task.sleep(for: .milliseconds(10)) }
        if !bus.isListening { throw TestFailure("the event listener never started") }
    }

    /// Creates a user with a role in a workspace (made if new) and returns a bearer token for it.
    @discardableResult
    func member(_ email: String, workspace: String, role: Role, client: any TestClientProtocol) async throws -> String {
        _ = try await dependencies.admin.createAdmin(
            email: email, password: Self.password, workspaceName: workspace, role: role, displayName: nil)
        return try await token(email: email, workspace: workspace, client: client)
    }

    func token(email: String, workspace: String?, client: any TestClientProtocol) async throws -> String {
        let response = try await client.post(
            APIBody.json(["email": email, "password": Self.password, "workspace": workspace ?? ""]), to: "/api/v1/auth/token")
        guard response.status == .created, let json = try response.json() as? [String: Any], let token = json["token"] as? String
        else {
            throw TestFailure("could not get a token for \(email): \(response.status) \(String(buffer: response.body))")
        }
        return token
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum APIBody {
    static func json(_ object: [String: Any]) -> ByteBuffer {
        ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }
}

extension TestClientProtocol {
    func get(_ uri: String, token: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: .get, headers: headers)
    }

    func post(_ body: ByteBuffer, to uri: String, token: String? = nil, method: HTTPRequest.Method = .post) async throws
        -> TestResponse
    {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: headers, body: body)
    }
}

extension TestResponse {
    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(buffer: body)) }

    var errorCode: String? {
        ((try? json()) as? [String: Any]).flatMap { $0["error"] as? [String: Any] }?["code"] as? String
    }
}

extension TestApp {
    /// The id of a workspace made by `member`.
    func workspaceID(_ slug: String) async throws -> WorkspaceID {
        guard let workspace = try await dependencies.store.unscoped.workspaces.workspace(slug: slug) else {
            throw TestFailure("no workspace \(slug)")
        }
        return workspace.id
    }

    /// Takes every member of the workspace out of routing (capacity 0), for tests about something else: their
    /// conversations stay unassigned until someone takes them.
    func withoutRouting(_ slug: String) async throws {
        let data = dependencies.store.scoped(to: try await workspaceID(slug))
        for member in try await data.members.list(after: nil, limit: 100) {
            try await data.routing.setSettings(member.user.id, AgentRouting(maxChats: 0, skills: [], languages: []))
        }
    }
}
