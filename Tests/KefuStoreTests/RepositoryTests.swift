import Foundation
import KefuCore
import KefuStore
import KefuTestSupport
import Logging
import Testing

@Suite struct RepositoryTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func migrated<T>(_ db: TestDatabase, _ body: (Store) async throws -> T) async throws -> T {
        try await db.withStore { store in
            try await MigrationRunner(database: store.database, logger: Logger(label: "test")).migrate()
            return try await body(store)
        }
    }

    @Test(arguments: TestDatabase.all)
    func duplicatesAreConflicts(_ db: TestDatabase) async throws {
        try await migrated(db) { store in
            let accounts = SQLAccountRepository(database: store.database)
            let ws = try await accounts.createWorkspace(slug: "acme", name: "Acme", defaultLocale: "en", at: now)
            await #expect(throws: DomainError.conflict("workspace slug already taken")) {
                _ = try await accounts.createWorkspace(slug: "acme", name: "Other", defaultLocale: "en", at: now)
            }
            let user = try await accounts.createUser(
                email: "A@Example.com ", displayName: "A", locale: nil, passwordHash: "h", at: now)
            #expect(user.email == "a@example.com")
            await #expect(throws: DomainError.self) {
                _ = try await accounts.createUser(
                    email: "a@example.com", displayName: "B", locale: nil, passwordHash: "h", at: now)
            }
            _ = try await accounts.addMember(workspaceID: ws.id, userID: user.id, role: .agent, at: now)
            await #expect(throws: DomainError.self) {
                _ = try await accounts.addMember(workspaceID: ws.id, userID: user.id, role: .admin, at: now)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func membersAreScopedToTheirWorkspaceAndPaged(_ db: TestDatabase) async throws {
        try await migrated(db) { store in
            let accounts = SQLAccountRepository(database: store.database)
            let a = try await accounts.createWorkspace(slug: "ws-a", name: "A", defaultLocale: "en", at: now)
            let b = try await accounts.createWorkspace(slug: "ws-b", name: "B", defaultLocale: "en", at: now)
            for i in 0..<5 {
                let u = try await accounts.createUser(
                    email: "u\(i)@a.example", displayName: "U\(i)", locale: nil, passwordHash: "h", at: now)
                _ = try await accounts.addMember(workspaceID: a.id, userID: u.id, role: .agent, at: now)
            }
            let outsider = try await accounts.createUser(
                email: "z@b.example", displayName: "Z", locale: nil, passwordHash: "h", at: now)
            _ = try await accounts.addMember(workspaceID: b.id, userID: outsider.id, role: .owner, at: now)

            let first = try await accounts.members(workspaceID: a.id, after: nil, limit: 3)
            #expect(first.map(\.user.email) == ["u0@a.example", "u1@a.example", "u2@a.example"])
            let second = try await accounts.members(workspaceID: a.id, after: first.last?.user.email, limit: 3)
            #expect(second.map(\.user.email) == ["u3@a.example", "u4@a.example"])
            #expect(try await accounts.membership(workspaceID: a.id, userID: outsider.id) == nil)
            await #expect(throws: DomainError.notFound("member")) {
                _ = try await accounts.setRole(workspaceID: a.id, userID: outsider.id, role: .agent)
            }
            #expect(try await accounts.membership(workspaceID: b.id, userID: outsider.id)?.role == .owner)
        }
    }

    @Test(arguments: TestDatabase.all)
    func auditEventsPageNewestFirst(_ db: TestDatabase) async throws {
        try await migrated(db) { store in
            let accounts = SQLAccountRepository(database: store.database)
            let audit = SQLAuditRepository(database: store.database)
            let ws = try await accounts.createWorkspace(slug: "ws", name: "W", defaultLocale: "en", at: now)
            for i in 0..<7 {
                try await audit.append(
                    .init(
                        id: UUID(), workspaceID: ws.id, actorUserID: nil, actorLabel: "cli", action: "settings.changed",
                        target: "t\(i)", ip: nil, before: nil, after: nil, createdAt: now.addingTimeInterval(Double(i / 2))))
            }
            var seen: [String] = []
            var cursor: AuditCursor?
            repeat {
                let page = try await audit.events(workspaceID: ws.id, before: cursor, limit: 3)
                seen += page.compactMap(\.target)
                cursor = page.count == 3 ? page.last.map { AuditCursor(createdAt: $0.createdAt, id: $0.id) } : nil
            } while cursor != nil
            #expect(seen.count == 7)
            #expect(Set(seen).count == 7)
            #expect(seen.first == "t6")
            let roundTrip = AuditCursor(encoded: AuditCursor(createdAt: now, id: ws.id).encoded)
            #expect(roundTrip == AuditCursor(createdAt: now, id: ws.id))
            #expect(AuditCursor(encoded: "not a cursor") == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func tokensStopWorkingWhenRevokedOrExpired(_ db: TestDatabase) async throws {
        try await migrated(db) { store in
            let accounts = SQLAccountRepository(database: store.database)
            let credentials = SQLCredentialRepository(database: store.database)
            let ws = try await accounts.createWorkspace(slug: "ws", name: "W", defaultLocale: "en", at: now)
            let user = try await accounts.createUser(email: "a@b.co", displayName: "A", locale: nil, passwordHash: "h", at: now)
            let token = try await credentials.createToken(
                workspaceID: ws.id, userID: user.id, name: "ci", kind: .personal, tokenHash: "hash1", at: now, expiresAt: nil)
            let used = try await credentials.useToken(tokenHash: "hash1", now: now.addingTimeInterval(120))
            #expect(used?.lastUsedAt == now.addingTimeInterval(120))
            _ = try await credentials.revokeToken(id: token.id, workspaceID: ws.id, userID: user.id, at: now)
            #expect(try await credentials.useToken(tokenHash: "hash1", now: now) == nil)
            _ = try await credentials.createToken(
                workspaceID: ws.id, userID: user.id, name: "b", kind: .bearer, tokenHash: "hash2", at: now,
                expiresAt: now.addingTimeInterval(60))
            #expect(try await credentials.useToken(tokenHash: "hash2", now: now.addingTimeInterval(30)) != nil)
            #expect(try await credentials.useToken(tokenHash: "hash2", now: now.addingTimeInterval(61)) == nil)
            await #expect(throws: DomainError.notFound("token")) {
                _ = try await credentials.revokeToken(id: token.id, workspaceID: UUID(), userID: user.id, at: now)
            }
        }
    }

    @Test func databaseURLsParse() throws {
        #expect(try DatabaseLocation.parse(nil, dataDirectory: "/d") == .sqliteFile("/d/kefu.sqlite"))
        #expect(try DatabaseLocation.parse("sqlite:/tmp/x.db", dataDirectory: "/d") == .sqliteFile("/tmp/x.db"))
        #expect(try DatabaseLocation.parse("sqlite::memory:", dataDirectory: "/d") == .sqliteMemory)
        #expect(try DatabaseLocation.parse("postgres://u:p@h:5432/db", dataDirectory: "/d").isPostgres)
        #expect(throws: StoreError.self) { try DatabaseLocation.parse("mysql://x", dataDirectory: "/d") }
        #expect(DatabaseLocation.postgres("postgres://u:secret@h/db").redacted == "postgres://u:***@h/db")
    }
}
