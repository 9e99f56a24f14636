import Foundation
import Logging

/// The in-process benchmarks' server: the real dependencies on a throwaway data folder (a temporary SQLite file, or
/// the PostgreSQL database named), shut down and removed afterwards whatever happens.
enum BenchDependencies {
    static func with<T: Sendable>(
        databaseURL: String?, configure: (inout AppConfig) -> Void = { _ in },
        _ body: (AppDependencies, Logger) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        var config = AppConfig()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kefu-bench-\(UUID())").path
        config.dataDirectory = folder
        config.databaseURL = databaseURL
        config.secretKey = "benchmark-secret-key-long-enough-0123456789"
        configure(&config)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let deps = try await AppDependencies.prepare(config, logger: logger)
        do {
            let result = try await body(deps, logger)
            await deps.shutdown()
            return result
        } catch {
            await deps.shutdown()
            throw error
        }
    }
}
