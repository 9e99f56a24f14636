import FluentKit
import Foundation
import KefuCore
import KefuStore
import KefuTestSupport
import Logging
import SQLKit
import Testing

@Suite struct MigrationRunnerTests {
    let logger = {
        var l = Logger(label: "test"); l.logLevel = .warning; return l
    }()

    @Test(arguments: TestDatabase.all)
    func migratesOnceAndIsSafeToRunAgain(_ db: TestDatabase) async throws {
        try await db.withStore { store in
            let runner = MigrationRunner(database: store.database, logger: logger)
            let first = try await runner.migrate()
            #expect(first == Migrations.all.map(\.version))
            let second = try await runner.migrate()
            #expect(second.isEmpty)
            #expect(try await runner.pending().isEmpty)
        }
    }

    struct CreatesThenFails: SchemaMigration {
        let version = 999
        let name = "creates a table, then fails"
        func prepare(on database: any Database) async throws {
            try await database.schema("half_done").id().field("x", .string).create()
            throw CancellationError()
        }
    }

    @Test(arguments: TestDatabase.all)
    func aFailingMigrationLeavesTheSchemaAsItWas(_ db: TestDatabase) async throws {
        try await db.withStore { store in
            let runner = MigrationRunner(
                database: store.database, migrations: Migrations.all + [CreatesThenFails()], logger: logger)
            await #expect(throws: CancellationError.self) { try await runner.migrate() }
            #expect(try await runner.appliedVersions() == Set(Migrations.all.map(\.version)))
            let sql = try #require(store.database as? any SQLDatabase)
            // The half-created table must not exist: selecting from it fails.
            await #expect(throws: (any Error).self) { try await sql.raw("SELECT * FROM half_done").run() }
        }
    }

    @Test(arguments: TestDatabase.all)
    func theAuditLogRefusesEditsAndDeletes(_ db: TestDatabase) async throws {
        try await db.withStore { store in
            try await MigrationRunner(database: store.database, logger: logger).migrate()
            let audit = store.unscoped.audit
            try await audit.append(
                .init(
                    id: AuditEventID(), workspaceID: nil, actorUserID: nil, actorLabel: "x", action: .signInFailed,
                    target: "a@b.co",
                    ip: "127.0.0.1", before: nil, after: nil, createdAt: Date()))
            let sql = try #require(store.database as? any SQLDatabase)
            await #expect(throws: (any Error).self) { try await sql.raw("UPDATE audit_events SET action = 'forged'").run() }
            await #expect(throws: (any Error).self) { try await sql.raw("DELETE FROM audit_events").run() }
            let failures = try await audit.failedSignIns(email: "a@b.co", ip: nil, since: Date().addingTimeInterval(-60))
            #expect(failures.count == 1)
        }
    }
}
