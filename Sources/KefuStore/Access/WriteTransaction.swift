import FluentKit
import KefuCore
import SQLKit
import SQLiteNIO

extension Database {
    /// Runs `body` in one transaction. On SQLite the transaction begins IMMEDIATE: it takes the write lock first, so
    /// concurrent writers queue on the busy timeout instead of failing when a read upgrades to a write. A writer
    /// that still cannot get the lock gets `DomainError.conflict(.busy)` (409), never a 500.
    func writeTransaction<T: Sendable>(gate: WriteGate, _ body: @escaping @Sendable (any Database) async throws -> T)
        async throws -> T
    {
        guard let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite" else { return try await transaction(body) }
        do {
            return try await gate.run {
                try await immediateTransaction(body)
            }
        } catch let error as SQLiteError where error.isBusy {
            throw DomainError.conflict(.busy)
        }
    }

    private func immediateTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T)
        async throws -> T
    {
        try await withConnection { connection in
            guard let sql = connection as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
            try await sql.raw("BEGIN IMMEDIATE").run()
            do {
                let result = try await body(connection)
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}

extension SQLiteError {
    var isBusy: Bool {
        switch reason {
        case .busy, .busyInRecovery, .busyInSnapshot, .busyTimeout, .locked: true
        default: false
        }
    }
}
