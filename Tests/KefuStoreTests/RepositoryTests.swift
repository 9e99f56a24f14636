import Foundation
import KefuCore
import KefuStore
import KefuTestSupport
import Logging
import SQLKit
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
            let system = store.unscoped
            let ws = try await system.workspaces.create(slug: "acme", name: "Acme", defaultLocale: .en, at: now)
            await #expect(throws: DomainError.conflict(.workspaceSlugTaken)) {
                _ = try await system.workspaces.create(slug: "acme", name: "Other", defaultLocale: .en, at: now)
            }
            let user = try await system.users.create(
                email: "A@Example.com ", displayName: "A", locale: nil, passwordHash: "h", at: now)
            #expect(user.email == "a@example.com")
            await #expect(throws: DomainError.conflict(.emailTaken)) {
                _ = try await system.users.create(
                    email: "a@example.com", displayName: "B", locale: nil, passwordHash: "h", at: now)
            }
            let members = store.scoped(to: ws.id).members
            _ = try await members.add(userID: user.id, role: .agent, at: now)
            await #expect(throws: DomainError.conflict(.alreadyMember)) {
                _ = try await members.add(userID: user.id, role: .admin, at: now)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func membersAreScopedToTheirWorkspaceAndPaged(_ db: TestDatabase) async throws {
        try await migrated(db) { store in
            let system = store.unscoped
            let a = try await system.workspaces.create(slug: "ws-a", name: "A", defaultLocale: .en, at: now)
            let b = try await system.workspaces.create(slug: "ws-b", name: "B", defaultLocale: .en, at: now)
            let membersA = store.scoped(to: a.id).members
            let membersB = store.scoped(to: b.id).members
            for i in 0..<5 {
                let u = try await system.users.create(
                    email: "u\(i)@a.example", displayName: "U\(i)", locale: nil, passwordHash: "h", at: now)
                _ = try await membersA.add(userID: u.id, role: .agent, at: now)
            }
            let outsider = try await system.users.create(
                email: "z@b.example", displayName: "Z", locale: nil, passwordHash: "h", at: now)
            _ = try await membersB.add(userID: outsider.id, role: .owner, at: now)

            let first = try await membersA.list(after: nil, limit: 3)
            #expect(first.map(\.user.email) == ["u0@a.example", "u1@a.example", "u2@a.example"])
            let second = try await membersA.list(after: first.last?.user.email, limit: 3)
            #expect(second.map(\.user.email) == ["u3@a.example", "u4@a.example"])
            #expect(try await membersA.membership(userID: outsider.id) == nil)
            await #expect(throws: DomainError.notFound(.member)) {
                _ = try await membersA.setRole(userID: outsider.id, role: .agent)
            }
            #expect(try await membersB.membership(userID: outsider.id)?.role == .owner)
        }
    }

    @Test(arguments: TestDatabase.all)
    func auditEventsPageNewestFirst(_ db: TestDatabase) async throws {
        try await migrated(db) { store in
            let ws = try await store.unscoped.workspaces.create(slug: "ws", name: "W", defaultLocale: .en, at: now)
            let audit = store.scoped(to: ws.id).audit
            for i in 0..<7 {
                try await audit.append(
                    .init(
                        id: AuditEventID(), workspaceID: nil, actorUserID: nil, actorLabel: "cli", action: .settingsChanged,
                        target: "t\(i)", ip: nil, before: nil, after: nil, createdAt: now.addingTimeInterval(Double(i / 2))))
            }
            var seen: [String] = []
            var cursor: AuditCursor?
            repeat {
                let page = try await audit.events(before: cursor, limit: 3)
                seen += page.compactMap(\.target)
                cursor = page.count == 3 ? page.last.map { AuditCursor(createdAt: $0.createdAt, id: $0.id) } : nil
            } while cursor != nil
            #expect(seen.count == 7)
            #expect(Set(seen).count == 7)
            #expect(seen.first == "t6")
            let id = AuditEventID()
            #expect(AuditCursor(encoded: AuditCursor(createdAt: now, id: id).encoded) == AuditCursor(createdAt: now, id: id))
            #expect(AuditCursor(encoded: "not a cursor") == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func tokensStopWorkingWhenRevokedOrExpired(_ db: TestDatabase) async throws {
        try await migrated(db) { store in
            let system = store.unscoped
            let ws = try await system.workspaces.create(slug: "ws", name: "W", defaultLocale: .en, at: now)
            let other = try await system.workspaces.create(slug: "other", name: "O", defaultLocale: .en, at: now)
            let user = try await system.users.create(email: "a@b.co", displayName: "A", locale: nil, passwordHash: "h", at: now)
            let tokens = store.scoped(to: ws.id).tokens
            let token = try await tokens.create(
                userID: user.id, name: "ci", kind: .personal, tokenHash: "hash1", at: now, expiresAt: nil)
            let used = try await system.credentials.useToken(tokenHash: "hash1", now: now.addingTimeInterval(120))
            #expect(used?.lastUsedAt == now.addingTimeInterval(120))
            await #expect(throws: DomainError.notFound(.token)) {
                _ = try await store.scoped(to: other.id).tokens.revoke(id: token.id, userID: user.id, at: now)
            }
            _ = try await tokens.revoke(id: token.id, userID: user.id, at: now)
            #expect(try await system.credentials.useToken(tokenHash: "hash1", now: now) == nil)
            _ = try await tokens.create(
                userID: user.id, name: "b", kind: .bearer, tokenHash: "hash2", at: now, expiresAt: now.addingTimeInterval(60))
            #expect(try await system.credentials.useToken(tokenHash: "hash2", now: now.addingTimeInterval(30)) != nil)
            #expect(try await system.credentials.useToken(tokenHash: "hash2", now: now.addingTimeInterval(61)) == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aStoredValueThatDoesNotDecodeIsAnErrorNotADefault(_ db: TestDatabase) async throws {
        try await migrated(db) { store in
            let system = store.unscoped
            let ws = try await system.workspaces.create(slug: "ws", name: "W", defaultLocale: .en, at: now)
            let user = try await system.users.create(email: "a@b.co", displayName: "A", locale: nil, passwordHash: "h", at: now)
            _ = try await store.scoped(to: ws.id).members.add(userID: user.id, role: .agent, at: now)
            let sql = try #require(store.database as? any SQLDatabase)
            try await sql.raw("UPDATE memberships SET role = 'superuser'").run()
            await #expect(throws: StoreError.undecodable(table: "memberships", column: "role", value: "superuser")) {
                _ = try await store.scoped(to: ws.id).members.membership(userID: user.id)
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
