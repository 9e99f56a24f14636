import ArgumentParser
import Foundation
import Hummingbird
import KefuDemoShop
import KefuServer
import KefuStore
import Metrics
import Prometheus
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Migrate the database and start the web server.")

    @OptionGroup var data: DataOptions

    @Option(help: "Address to listen on (default 127.0.0.1; 0.0.0.0 for all interfaces). Env: KEFU_HOST.")
    var host: String?

    @Option(help: "Port to listen on (default 8080). Env: KEFU_PORT.")
    var port: Int?

    @Flag(help: "Create the demo workspace (once) and print its owner's sign-in.")
    var demo = false

    @Flag(help: "Let owners move the business-hours clock through the API (tests only). Env: KEFU_TESTING_CLOCK.")
    var testClock = false

    func run() async throws {
        var extra: [String: String] = [:]
        extra[AppConfig.Key.host] = host
        extra[AppConfig.Key.port] = port.map(String.init)
        if demo { extra[AppConfig.Key.demo] = "true" }
        if testClock { extra[AppConfig.Key.testClock] = "true" }
        let config = try data.load(extra: extra)
        let logger = CLILogging.bootstrap(level: config.logLevel)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let dependencies: AppDependencies
        do {
            dependencies = try await AppDependencies.prepare(config, logger: logger, metrics: registry)
        } catch {
            throw fail(String(describing: error))
        }
        if let owner = dependencies.demoOwner {
            say("Demo owner: \(owner.email) password: \(owner.password)")
        }
        say("Kefu is listening on http://\(config.host):\(config.port) (database: \(dependencies.store.location.redacted))")
        let files = FileLimit.raiseToHardLimit()
        logger.info(
            "open-file limit",
            metadata: ["limit": "\(files.map(String.init) ?? "unknown")", "max.connections": "\(config.maxConnections)"])
        if let files, files < UInt64(config.maxConnections) + 64 {
            logger.warning(
                "the open-file limit is below max.connections: raise it (ulimit -n) or lower KEFU_MAX_CONNECTIONS",
                metadata: ["limit": "\(files)"])
        }
        var services: [any Service] = []
        if let shop = dependencies.demoShop {
            // The demo shop's backend, in this process on a loopback port the demo's actions point at.
            let backend = DemoShopBackend(signingSecret: shop.secret)
            services.append(
                Application(
                    router: backend.router(), configuration: .init(address: .hostname("127.0.0.1", port: shop.port)),
                    logger: logger))
        }
        let app = buildApplication(dependencies, logger: logger, services: services)
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var data: DataOptions

    func run() async throws {
        let config = try data.load()
        let logger = CLILogging.bootstrap(level: config.logLevel)
        let store: Store
        do {
            try DataDirectory.prepare(config.dataDirectory)
            store = try Store(
                location: try DatabaseLocation.parse(config.databaseURL, dataDirectory: config.dataDirectory), logger: logger)
        } catch {
            throw fail(String(describing: error))
        }
        do {
            try await store.open(retryFor: .seconds(config.databaseRetrySeconds))
            let applied = try await MigrationRunner(database: store.database, logger: logger).migrate()
            print(
                applied.isEmpty
                    ? "Schema is up to date (version \(Migrations.latestVersion))."
                    : "Applied migrations: \(applied.map(String.init).joined(separator: ", "))")
            await store.shutdown()
        } catch {
            await store.shutdown()
            throw fail(String(describing: error))
        }
    }
}
