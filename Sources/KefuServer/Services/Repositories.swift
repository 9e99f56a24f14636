import FluentKit
import KefuStore

/// The repositories over one database handle (a pool or a transaction).
struct Repositories: Sendable {
    let accounts: any AccountRepository
    let credentials: any CredentialRepository
    let audit: any AuditRepository
    let teams: any TeamRepository

    init(_ db: any Database) {
        accounts = SQLAccountRepository(database: db)
        credentials = SQLCredentialRepository(database: db)
        audit = SQLAuditRepository(database: db)
        teams = SQLTeamRepository(database: db)
    }
}

extension Store {
    var repositories: Repositories { Repositories(database) }

    /// Runs `body` in one transaction; everything it wrote is undone if it throws.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (Repositories) async throws -> T) async throws -> T {
        try await database.transaction { tx in try await body(Repositories(tx)) }
    }
}
