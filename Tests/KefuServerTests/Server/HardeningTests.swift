import Foundation
import HTTPTypes
import HummingbirdTesting
import KefuCore
import KefuServer
import KefuStore
import KefuTestSupport
import NIOCore
import Testing

/// Findings of the security review, each pinned by a test that failed before its fix.
@Suite struct HardeningTests {
    @Test func pagesAndAPIResponsesCarrySecurityHeaders() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let page = try await client.get("/login")
            let csp = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!])
            #expect(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"))
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            let me = try await client.get("/api/v1/me", token: owner)
            #expect(me.headers[.cacheControl] == "no-store")
            let invite = try await client.post(
                APIBody.json(["email": "new@acme.example", "role": "agent"]), to: "/api/v1/invitations", token: owner)
            #expect(invite.headers[.cacheControl] == "no-store")
        }
    }

    @Test func noPageHasInlineScriptOrHandlers() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            _ = owner
            let html = String(buffer: try await client.get("/login").body)
            #expect(html.contains("<script src="))
            #expect(html.range(of: #"<script>|<script\s+(?!src)|\son[a-z]+\s*=|style\s*="#, options: .regularExpression) == nil)
        }
    }

    @Test func onlyApplicationJSONIsJSON() async throws {
        try await TestApp.run { _, client in
            for type in ["application/jsonp", "application/json-patch+json", "text/json", "application/x-json"] {
                let response = try await client.execute(
                    uri: "/api/v1/auth/token", method: .post, headers: [.contentType: type],
                    body: APIBody.json(["email": "a@b.example", "password": "x"]))
                #expect(response.status == .unsupportedMediaType, "\(type)")
            }
            let withCharset = try await client.execute(
                uri: "/api/v1/auth/token", method: .post, headers: [.contentType: "Application/JSON; charset=utf-8"],
                body: APIBody.json(["email": "a@b.example", "password": "wrong password"]))
            #expect(withCharset.status == .unauthorized)
        }
    }

    @Test func aChunkedBodyOverTheLimitIs413() async throws {
        try await TestApp.run(configure: { $0.maxBodyBytes = 1024 }) { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let big = "{\"name\":\"" + String(repeating: "x", count: 4096) + "\"}"
            let response = try await client.execute(
                uri: "/api/v1/tokens", method: .post,
                headers: [.contentType: "application/json", .authorization: "Bearer \(owner)", .transferEncoding: "chunked"],
                body: ByteBuffer(string: big))
            #expect(response.status == .contentTooLarge)
            #expect(response.errorCode == "body_too_large")
        }
    }

    @Test func invitationLinksIgnoreRequestHeadersUnlessTheProxyIsTrusted() async throws {
        try await TestApp.run(configure: { $0.port = 8123 }) { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let response = try await client.execute(
                uri: "/api/v1/invitations", method: .post,
                headers: [
                    .contentType: "application/json", .authorization: "Bearer \(owner)",
                    HTTPField.Name("X-Forwarded-Proto")!: "https",
                ], body: APIBody.json(["email": "new@acme.example", "role": "agent"]))
            let link = try #require((try response.json() as? [String: Any])?["invite_url"] as? String)
            #expect(link.hasPrefix("http://127.0.0.1:8123/invite/"), "\(link)")
        }
        try await TestApp.run(configure: { $0.publicURL = "https://support.shop.example/" }) { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let response = try await client.post(
                APIBody.json(["email": "new@acme.example", "role": "agent"]), to: "/api/v1/invitations", token: owner)
            let link = try #require((try response.json() as? [String: Any])?["invite_url"] as? String)
            #expect(link.hasPrefix("https://support.shop.example/invite/"), "\(link)")
        }
    }

    @Test func aBearerTokenCannotMintATokenThatOutlivesIt() async throws {
        try await TestApp.run { app, client in
            let bearer = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let created = try #require(
                try await client.post(APIBody.json(["name": "ci"]), to: "/api/v1/tokens", token: bearer).json() as? [String: Any])
            let expires = try #require((created["info"] as? [String: Any])?["expires_at"] as? String)
            let limit = try Date(expires, strategy: .iso8601)
            #expect(limit <= Date().addingTimeInterval(3600 + 5))
        }
    }

    @Test func aPlainBcryptHashIsUpgradedAtSignIn() async throws {
        try await TestApp.run { app, client in
            try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let users = app.dependencies.store.unscoped.users
            let user = try #require(try await users.credentials(email: "owner@acme.example")?.0)
            try await users.setPasswordHash(userID: user.id, hash: LegacyHash.make(TestApp.password))
            _ = try await app.token(email: "owner@acme.example", workspace: "acme", client: client)
            let stored = try #require(try await users.credentials(email: "owner@acme.example")?.passwordHash)
            #expect(stored.hasPrefix("kefu1$"))
            _ = try await app.token(email: "owner@acme.example", workspace: "acme", client: client)
        }
    }

    @Test func resetPasswordSetsANewOneAndEndsSessionsWhileCreateKeepsIt() async throws {
        try await TestApp.run { app, client in
            let bearer = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let admin = app.dependencies.admin
            let again = try await admin.createAdmin(
                email: "owner@acme.example", password: "a different password", workspaceName: "acme", role: .owner,
                displayName: nil)
            #expect(!again.createdUser)
            // A new workspace named in Chinese speaks Chinese; one named in Latin letters, English.
            let tea = try await admin.createAdmin(
                email: "owner@tea.example", password: "a long tea password", workspaceName: "茶叶小店", role: .owner,
                displayName: nil)
            #expect(tea.createdWorkspace && tea.workspace.defaultLocale == .zhCN)
            let books = try await admin.createAdmin(
                email: "owner@books.example", password: "a long book password", workspaceName: "Book Nook", role: .owner,
                displayName: nil)
            #expect(books.createdWorkspace && books.workspace.defaultLocale == .en)
            _ = try await app.token(email: "owner@acme.example", workspace: "acme", client: client)  // old one still works

            let ended = try await admin.resetPassword(email: "Owner@Acme.example", password: "a brand new secret")
            #expect(ended >= 2)
            #expect(try await client.get("/api/v1/me", token: bearer).status == .unauthorized)
            let old = try await client.post(
                APIBody.json(["email": "owner@acme.example", "password": TestApp.password]), to: "/api/v1/auth/token")
            #expect(old.status == .unauthorized)
            let new = try await client.post(
                APIBody.json(["email": "owner@acme.example", "password": "a brand new secret"]), to: "/api/v1/auth/token")
            #expect(new.status == .created)
            await #expect(throws: DomainError.notFound(.user)) {
                _ = try await admin.resetPassword(email: "nobody@acme.example", password: "a brand new secret")
            }
            await #expect(throws: ValidationErrors("password", .weakPassword)) {
                _ = try await admin.resetPassword(email: "owner@acme.example", password: "          ")
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func parallelGuessesCannotOutrunTheLockout(_ db: TestDatabase) async throws {
        try await TestApp.run(db) { app, client in
            try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        let password = i == 39 ? TestApp.password : "wrong guess \(i)"
                        return try await client.post(
                            APIBody.json(["email": "owner@acme.example", "password": password]), to: "/api/v1/auth/token"
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let checked = statuses.filter { $0 != .tooManyRequests }
            #expect(checked.count <= 11, "\(statuses.map(\.code))")
            #expect(statuses.allSatisfy { [.unauthorized, .created, .tooManyRequests].contains($0) })
            let after = try await client.post(
                APIBody.json(["email": "owner@acme.example", "password": TestApp.password]), to: "/api/v1/auth/token")
            #expect(after.status == .tooManyRequests)
        }
    }
}
