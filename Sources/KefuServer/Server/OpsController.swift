import Foundation
import Hummingbird
import KefuStore
import Prometheus

/// Liveness, readiness, Prometheus metrics and the OpenAPI document.
struct OpsController {
    let store: Store
    let metrics: PrometheusCollectorRegistry
    let openAPIDocument: ByteBuffer
    let poolSize: Int

    func register(_ routes: PublicRoutes) {
        routes.on(.get, APIPath.health, use: health)
        routes.on(.get, APIPath.ready, use: ready)
        routes.on(.get, APIPath.metrics, use: scrape)
        routes.on(.get, APIPath.openAPI, use: openAPI)
    }

    struct Status: ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case status
            case database
            case pendingMigrations = "pending_migrations"
        }

        var status: String
        var database: String?
        var pendingMigrations: Int?
    }

    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Status {
        Status(status: "ok")
    }

    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Status> {
        do {
            try await store.ping()
            let pending = try await MigrationRunner(database: store.database, logger: context.logger).pending().count
            let ok = pending == 0
            return EditedResponse(
                status: ok ? .ok : .serviceUnavailable,
                response: Status(status: ok ? "ready" : "migrations_pending", database: "up", pendingMigrations: pending))
        } catch {
            context.logger.warning("readiness check failed", metadata: ["error": "\(error)"])
            return EditedResponse(status: .serviceUnavailable, response: Status(status: "database_unreachable", database: "down"))
        }
    }

    @Sendable func scrape(_ request: Request, context: AppRequestContext) async throws -> Response {
        gauge("process_resident_memory_bytes", "Resident memory of this process.").set(to: Double(ProcessMemory.residentBytes()))
        gauge("kefu_database_pool_max_connections", "Connections each event loop may open to the database.").set(
            to: Double(poolSize))
        let start = ContinuousClock.now
        let up: Bool
        do {
            try await store.ping()
            up = true
        } catch {
            up = false
        }
        gauge("kefu_database_up", "1 when the database answered the scrape's ping.").set(to: up ? 1 : 0)
        let elapsed = ContinuousClock.now - start
        gauge("kefu_database_ping_seconds", "Round trip of the scrape's database ping.")
            .set(to: Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
        var buffer: [UInt8] = []
        metrics.emit(into: &buffer)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    private func gauge(_ name: String, _ help: String) -> Gauge {
        // The full name goes in `metricName`: an empty unit adds no suffix.
        metrics.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help))
    }

    @Sendable func openAPI(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: openAPIDocument))
    }
}

/// Reads this process's resident memory from /proc (Linux); 0 elsewhere.
public enum ProcessMemory {
    public static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
