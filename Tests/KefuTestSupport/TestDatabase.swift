import Foundation
import KefuStore
import Logging
import SQLKit
import Testing

/// The databases a storage test runs against: SQLite always, PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set.
/// Each PostgreSQL test gets its own fresh database, dropped afterwards.
public enum TestDatabase: String, CaseIterable, Sendable {
    case sqlite, postgres

    public static var all: [TestDatabase] {
        ProcessInfo.processInfo.environment["KEFU_TEST_POSTGRES_URL"].map { $0.isEmpty ? [.sqlite] : [.sqlite, .postgres] } ?? [
            .sqlite
        ]
    }

    /// Runs `body` with the URL of a fresh, empty database.
    public func withURL<T>(_ body: (String) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            // A real file in WAL mode, as in production: shared-cache memory databases lock differently.
            let path = Self.temporarySQLitePath()
            defer { Self.removeSQLite(path) }
            return try await body("sqlite:" + path)
        case .postgres:
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            let (admin, name, url) = try await Self.createPostgresDatabase(logger: logger)
            do {
                let result = try await body(url)
                await Self.dropPostgresDatabase(admin: admin, name: name)
                return result
            } catch {
                await Self.dropPostgresDatabase(admin: admin, name: name)
                throw error
            }
        }
    }

    static func temporarySQLitePath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("kefu-test-\(UUID().uuidString).sqlite").path
    }

    static func removeSQLite(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    static func createPostgresDatabase(logger: Logger) async throws -> (Store, String, String) {
        let base = ProcessInfo.processInfo.environment["KEFU_TEST_POSTGRES_URL"] ?? ""
        let name = "kefu_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let admin = try Store(location: .postgres(base), logger: logger)
        try await admin.open()
        try await (admin.database as? any SQLDatabase)?.raw("CREATE DATABASE \(unsafeRaw: name)").run()
        guard var components = URLComponents(string: base) else { throw StoreError.invalidDatabaseURL(base) }
        components.path = "/" + name
        return (admin, name, components.string ?? base)
    }

    static func dropPostgresDatabase(admin: Store, name: String) async {
        try? await (admin.database as? any SQLDatabase)?.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
        await admin.shutdown()
    }

    /// Runs `body` with a fresh, empty store, in one of the process's test slots (`TestSlots.servers`).
    public func withStore<T>(_ body: (Store) async throws -> T) async throws -> T {
        try await TestSlots.servers.withSlot { try await openStore(body) }
    }

    private func openStore<T>(_ body: (Store) async throws -> T) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        switch self {
        case .sqlite:
            let path = Self.temporarySQLitePath()
            defer { Self.removeSQLite(path) }
            let store = try Store(location: .sqliteFile(path), logger: logger)
            do {
                try await store.open()
                let result = try await body(store)
                await store.shutdown()
                return result
            } catch {
                await store.shutdown()
                throw error
            }
        case .postgres:
            let (admin, name, url) = try await Self.createPostgresDatabase(logger: logger)
            let store = try Store(location: .postgres(url), logger: logger)
            func cleanUp() async {
                await store.shutdown()
                await Self.dropPostgresDatabase(admin: admin, name: name)
            }
            do {
                try await store.open()
                let result = try await body(store)
                await cleanUp()
                return result
            } catch {
                await cleanUp()
                throw error
            }
        }
    }
}
