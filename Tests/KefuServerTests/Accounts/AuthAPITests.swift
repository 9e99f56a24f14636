import Foundation
import HTTPTypes
import HummingbirdTesting
import KefuCore
import KefuServer
import KefuTestSupport
import NIOCore
import Testing

@Suite struct AuthAPITests {
    @Test(arguments: TestDatabase.all)
    func aWrongPasswordIsAGeneric401AndAudited(_ db: TestDatabase) async throws {
        try await TestApp.run(db) { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let wrong = try await client.post(
                APIBody.json(["email": "owner@acme.example", "password": "not the password"]), to: "/api/v1/auth/token")
            let unknown = try await client.post(
                APIBody.json(["email": "nobody@acme.example", "password": "not the password"]), to: "/api/v1/auth/token")
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(try wrong.json() as? NSDictionary == unknown.json() as? NSDictionary)
            let audit = try #require(try await client.get("/api/v1/audit-events", token: owner).json() as? [String: Any])
            let actions = (audit["data"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
            #expect(actions.contains("auth.sign_in"))
            #expect(actions.contains("auth.sign_in_failed"))
            let failures = try await app.dependencies.store.unscoped.audit.failedSignIns(
                email: "owner@acme.example", ip: nil, since: Date().addingTimeInterval(-60))
            #expect(failures.count == 1)
        }
    }

    @Test func moreThanTenFailuresLockTheAccountEvenForTheRightPassword() async throws {
        try await TestApp.run { app, client in
            try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            for _ in 0..<11 {
                let r = try await client.post(
                    APIBody.json(["email": "owner@acme.example", "password": "guess guess"]), to: "/api/v1/auth/token")
                #expect(r.status == .unauthorized)
            }
            let locked = try await client.post(
                APIBody.json(["email": "owner@acme.example", "password": TestApp.password]), to: "/api/v1/auth/token")
            #expect(locked.status == .tooManyRequests)
            #expect(locked.errorCode == "rate_limited")
            let retryAfter = try #require(locked.headers[.retryAfter].flatMap(Int.init))
            #expect((800...900).contains(retryAfter))
        }
    }

    @Test func tokensActInTheChosenWorkspaceAndMeListsAll() async throws {
        try await TestApp.run { app, client in
            try await app.member("multi@x.example", workspace: "first", role: .agent, client: client)
            try await app.member("multi@x.example", workspace: "second", role: .admin, client: client)
            let defaultToken = try await app.token(email: "multi@x.example", workspace: nil, client: client)
            let secondToken = try await app.token(email: "multi@x.example", workspace: "second", client: client)
            let me1 = try #require(try await client.get("/api/v1/me", token: defaultToken).json() as? [String: Any])
            let me2 = try #require(try await client.get("/api/v1/me", token: secondToken).json() as? [String: Any])
            #expect((me1["workspace"] as? [String: Any])?["slug"] as? String == "first")
            #expect(me1["role"] as? String == "agent")
            #expect((me2["workspace"] as? [String: Any])?["slug"] as? String == "second")
            #expect(me2["role"] as? String == "admin")
            #expect((me1["workspaces"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test func badInputGetsTheRightStatusAndCode() async throws {
        try await TestApp.run(configure: { $0.maxBodyBytes = 2048 }) { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let malformed = try await client.post(ByteBuffer(string: "{\"email\":"), to: "/api/v1/auth/token")
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCode == "malformed_json")
            let missing = try await client.post(APIBody.json(["email": "a@b.co"]), to: "/api/v1/auth/token")
            #expect(missing.status == .unprocessableContent)
            let fields =
                (try missing.json() as? [String: Any]).flatMap { $0["error"] as? [String: Any] }?["fields"] as? [String: String]
            #expect(fields?["password"] != nil)
            let plain = try await client.execute(
                uri: "/api/v1/auth/token", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "{}"))
            #expect(plain.status == .unsupportedMediaType)
            let big = try await client.post(
                ByteBuffer(string: "{\"name\":\"" + String(repeating: "x", count: 4096) + "\"}"), to: "/api/v1/tokens",
                token: owner)
            #expect(big.status == .contentTooLarge)
            #expect(big.errorCode == "body_too_large")
            let badRole = try await client.post(
                APIBody.json(["email": "new@acme.example", "role": "emperor"]), to: "/api/v1/invitations", token: owner)
            #expect(badRole.status == .unprocessableContent)
            let badLimit = try await client.get("/api/v1/members?limit=0", token: owner)
            #expect(badLimit.status == .unprocessableContent)
            let badCursor = try await client.get("/api/v1/audit-events?cursor=zzz", token: owner)
            #expect(badCursor.status == .unprocessableContent)
            let unknown = try await client.get("/api/v1/nothing-here", token: owner)
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "not_found")
            let tokens = try #require(try await client.get("/api/v1/tokens", token: owner).json() as? [[String: Any]])
            #expect(tokens.isEmpty)
        }
    }

    @Test func requestIDsAreEchoedOrMade() async throws {
        try await TestApp.run { _, client in
            let given = try await client.get("/health", headers: [HTTPField.Name("X-Request-Id")!: "abc-123"])
            #expect(given.headers[HTTPField.Name("X-Request-Id")!] == "abc-123")
            let made = try await client.get("/health", headers: [HTTPField.Name("X-Request-Id")!: "bad id with spaces"])
            #expect(made.headers[HTTPField.Name("X-Request-Id")!]?.count == 36)
            let failed = try await client.get("/api/v1/me")
            #expect(failed.headers[HTTPField.Name("X-Request-Id")!] != nil)
        }
    }

    @Test func healthReadyAndMetrics() async throws {
        try await TestApp.run { _, client in
            #expect(try await client.get("/health").status == .ok)
            let ready = try #require(try await client.get("/ready").json() as? [String: Any])
            #expect(ready["status"] as? String == "ready")
            let metrics = String(buffer: try await client.get("/metrics").body)
            #expect(metrics.contains("process_resident_memory_bytes"))
            #expect(metrics.contains("kefu_database_up 1"))
        }
    }
}
