import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// Owns the connection pools for one database and hands out `Database` handles.
/// Shut it down (or run it as a Service) when the process ends.
public final class Store: Sendable {
    public let location: DatabaseLocation
    public let databases: Databases
    /// One write transaction at a time from this process (SQLite).
    let writeGate = WriteGate()
    /// Batches chat writes into few transactions on SQLite; nil on PostgreSQL, which takes them concurrently.
    let groupCommit: GroupCommit?
    /// The event loops whose count is SQLite's connection count; nil on PostgreSQL (its pool size is configured).
    let sqliteLoops: MultiThreadedEventLoopGroup?
    static let sqliteConnections = 8
    /// SQLite's blocking calls run here, not on the process-wide pool that bcrypt keeps busy during a sign-in storm.
    let threadPool: NIOThreadPool
    let logger: Logger

    public init(location: DatabaseLocation, logger: Logger, poolSize: Int = 4) throws {
        self.location = location
        self.logger = logger
        self.threadPool = NIOThreadPool(numberOfThreads: 4)
        threadPool.start()
        // The SQLite driver keeps one connection per event loop: a group of its own gives it enough connections that
        // readers do not queue behind the writer (WAL lets them read while it writes).
        sqliteLoops = location.isPostgres ? nil : MultiThreadedEventLoopGroup(numberOfThreads: Self.sqliteConnections)
        let databases = Databases(threadPool: threadPool, on: sqliteLoops ?? MultiThreadedEventLoopGroup.singleton)
        self.databases = databases
        if location.isPostgres {
            groupCommit = nil
        } else {
            // Chat writes always use the same connection (its loop and thread stay warm under load instead of
            // waking a different one for every batch).
            let writerLoop = databases.eventLoopGroup.next()
            groupCommit = GroupCommit(gate: writeGate, file: location.sqliteFilePath) { [logger] in
                guard let database = databases.database(logger: logger, on: writerLoop) else {
                    preconditionFailure("Store used after shutdown")
                }
                return database
            }
        }
        switch location {
        case .sqliteFile(let path):
            databases.use(.sqlite(.file(path), sqlLogLevel: .trace), as: .sqlite)
        case .sqliteMemory:
            databases.use(.sqlite(.memory, sqlLogLevel: .trace), as: .sqlite)
        case .postgres(let url):
            let configuration: SQLPostgresConfiguration
            do {
                configuration = try SQLPostgresConfiguration(url: url)
            } catch {
                throw StoreError.invalidDatabaseURL(DatabaseLocation.redact(url))
            }
            databases.use(
                .postgres(configuration: configuration, maxConnectionsPerEventLoop: poolSize, sqlLogLevel: .trace),
                as: .psql)
        }
    }

    /// A database handle; cheap, make one per unit of work.
    public var database: any Database {
        guard let database = databases.database(logger: logger, on: databases.eventLoopGroup.any()) else {
            // Only after shutdown, which no caller may outlive.
            preconditionFailure("Store used after shutdown")
        }
        return database
    }

    /// Opens the database, applies connection settings and checks it answers. On PostgreSQL retries with
    /// exponential backoff for up to `retryFor`, so instances may start before the database does.
    public func open(retryFor: Duration = .seconds(30)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: retryFor)
        var delay = Duration.milliseconds(250)
        while true {
            do {
                try await configureConnections()
                try await ping()
                return
            } catch {
                guard location.isPostgres, clock.now.advanced(by: delay) < deadline else {
                    throw StoreError.unreachable(String(reflecting: error))
                }
                logger.warning("database not reachable, retrying", metadata: ["delay": "\(delay)", "error": "\(error)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    /// `SELECT 1` against the database.
    public func ping() async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        _ = try await sql.raw("SELECT 1 AS ok").first()
    }

    /// Refreshes the query planner's statistics where the database does not do it itself: SQLite without them
    /// sorts every open ticket to show a view's first page instead of walking an index in order. Bounded work
    /// (`analysis_limit`); PostgreSQL's autovacuum keeps its own statistics.
    /// It takes the write lock, so it queues behind the write gate like every other writer.
    public func optimize() async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await database.writeTransaction(gate: writeGate) { connection in
            guard let sql = connection as? any SQLDatabase else { return }
            try await sql.raw("PRAGMA analysis_limit=1000").run()
            try await sql.raw("PRAGMA optimize=0x10002").run()
        }
    }

    /// SQLite keeps per-connection settings: one pooled connection per event loop, so set them on each loop.
    private func configureConnections() async throws {
        guard case .sqliteFile = location else { return }
        for loop in databases.eventLoopGroup.makeIterator() {
            guard let sql = databases.database(logger: logger, on: loop) as? any SQLDatabase else { continue }
            try await sql.raw("PRAGMA journal_mode=WAL").run()
            try await sql.raw("PRAGMA synchronous=NORMAL").run()
            try await sql.raw("PRAGMA foreign_keys=ON").run()
            try await sql.raw("PRAGMA busy_timeout=5000").run()
        }
    }

    public func shutdown() async {
        await groupCommit?.writer?.shutdown()
        await databases.shutdownAsync()
        try? await threadPool.shutdownGracefully()
        try? await sqliteLoops?.shutdownGracefully()
    }
}
