import FluentKit
import Foundation
import Logging
import SQLKit

/// Applies pending migrations, each in its own transaction together with its record in `kefu_schema_migrations`,
/// so a failing step leaves the schema as it was. On PostgreSQL an advisory lock serialises concurrent instances.
public struct MigrationRunner: Sendable {
    let database: any Database
    let migrations: [any SchemaMigration]
    let logger: Logger

    public init(database: any Database, migrations: [any SchemaMigration] = Migrations.all, logger: Logger) {
        self.database = database
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    private var sql: any SQLDatabase {
        get throws {
            guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
            return sql
        }
    }

    /// Versions recorded as applied.
    public func appliedVersions() async throws -> Set<Int> {
        try await ensureTable()
        let rows = try await sql.select().column("version").from("kefu_schema_migrations").all()
        return Set(try rows.map { try $0.decode(column: "version", as: Int.self) })
    }

    /// Migrations not yet applied, in order.
    public func pending() async throws -> [any SchemaMigration] {
        let applied = try await appliedVersions()
        return migrations.filter { !applied.contains($0.version) }
    }

    /// Applies what is pending; returns the versions it applied. Safe to run any number of times.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await ensureTable()
        var done: [Int] = []
        for migration in migrations {
            let applied = try await database.transaction { tx in
                guard let sql = tx as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
                if sql.dialect.name == "postgresql" {
                    try await sql.raw("SELECT pg_advisory_xact_lock(7241001)").run()
                }
                let existing = try await sql.select().column("version").from("kefu_schema_migrations")
                    .where("version", .equal, migration.version).first()
                guard existing == nil else { return false }
                try await migration.prepare(on: tx)
                try await sql.insert(into: "kefu_schema_migrations")
                    .columns("version", "name", "applied_at")
                    .values(SQLBind(migration.version), SQLBind(migration.name), SQLBind(Date()))
                    .run()
                return true
            }
            if applied {
                logger.info("migration applied", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                done.append(migration.version)
            }
        }
        return done
    }

    private func ensureTable() async throws {
        try await sql.create(table: "kefu_schema_migrations")
            .ifNotExists()
            .column("version", type: .bigint, .primaryKey(autoIncrement: false))
            .column("name", type: .text, .notNull)
            .column("applied_at", type: .timestamp, .notNull)
            .run()
    }
}
