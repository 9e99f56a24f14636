import Foundation
import HTTPTypes
import HummingbirdTesting
import KefuCore
import KefuServer
import KefuTestSupport
import NIOCore
import Testing

@Suite struct MembersAPITests {
    @Test func anInvitationAcceptedThroughTheAPIGivesAWorkingTokenOnce() async throws {
        try await TestApp.run(.sqlite) { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let invite = try await client.post(
                APIBody.json(["email": "tool@acme.example", "role": "agent"]), to: "/api/v1/invitations", token: owner)
            let url = try #require((try invite.json() as? [String: Any])?["invite_url"] as? String)
            let token = try #require(url.split(separator: "/").last.map(String.init))
            let weak = try await client.post(
                APIBody.json(["token": token, "name": "Tool", "password": "short"]), to: "/api/v1/auth/invitation")
            #expect(weak.status == .unprocessableContent, "a refused password leaves the invitation open")
            let accepted = try await client.post(
                APIBody.json(["token": token, "name": "Tool", "password": TestApp.password]), to: "/api/v1/auth/invitation")
            #expect(accepted.status == .created)
            let bearer = try #require((try accepted.json() as? [String: Any])?["token"] as? String)
            let me = try #require(try await client.get("/api/v1/me", token: bearer).json() as? [String: Any])
            #expect((me["user"] as? [String: Any])?["email"] as? String == "tool@acme.example")
            let again = try await client.post(
                APIBody.json(["token": token, "name": "Tool", "password": TestApp.password]), to: "/api/v1/auth/invitation")
            #expect(again.status == .notFound, "an invitation works once")
            let workspace = try #require(try await client.get("/api/v1/workspace", token: owner).json() as? [String: Any])
            #expect((workspace["widget_key"] as? String)?.hasPrefix("wk_") == true)
        }
    }

    @Test(arguments: TestDatabase.all)
    func inviteAcceptChangeRoleAndRemoveAreAudited(_ db: TestDatabase) async throws {
        try await TestApp.run(db) { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let invite = try await client.post(
                APIBody.json(["email": "New@Acme.example", "role": "agent"]), to: "/api/v1/invitations", token: owner)
            #expect(invite.status == .created)
            let body = try #require(try invite.json() as? [String: Any])
            let url = try #require(body["invite_url"] as? String)
            let token = try #require(url.split(separator: "/").last.map(String.init))
            #expect(body["email"] as? String == "new@acme.example")

            let signedIn = try await app.dependencies.members.acceptInvitation(
                token: token, displayName: "New Agent", password: TestApp.password, ip: nil)
            #expect(signedIn.role == .agent)
            await #expect(throws: DomainError.notFound(.invitation)) {
                _ = try await app.dependencies.members.acceptInvitation(
                    token: token, displayName: "Again", password: TestApp.password, ip: nil)
            }
            let again = try await client.post(
                APIBody.json(["email": "new@acme.example", "role": "agent"]), to: "/api/v1/invitations", token: owner)
            #expect(again.status == .conflict)

            let id = signedIn.user.id.description
            let promoted = try await client.post(
                APIBody.json(["role": "supervisor"]), to: "/api/v1/members/\(id)", token: owner, method: .patch)
            #expect(promoted.status == .ok)
            #expect((try promoted.json() as? [String: Any])?["role"] as? String == "supervisor")

            let removed = try await client.execute(
                uri: "/api/v1/members/\(id)", method: .delete, headers: [.authorization: "Bearer \(owner)"])
            #expect(removed.status == .noContent)

            let audit = try #require(
                try await client.get("/api/v1/audit-events?limit=100", token: owner).json() as? [String: Any])
            let events = audit["data"] as? [[String: Any]] ?? []
            let actions = events.compactMap { $0["action"] as? String }
            for expected in ["member.invited", "member.joined", "member.role_changed", "member.removed"] {
                #expect(actions.contains(expected), "\(expected)")
            }
            let change = try #require(events.first { $0["action"] as? String == "member.role_changed" })
            #expect(change["before"] as? String == "{\"role\":\"agent\"}")
            #expect(change["after"] as? String == "{\"role\":\"supervisor\"}")
            #expect(change["actor"] as? String == "owner@acme.example")
        }
    }

    @Test func roleRulesHold() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let admin = try await app.member("admin@acme.example", workspace: "acme", role: .admin, client: client)
            let me = try #require(try await client.get("/api/v1/me", token: owner).json() as? [String: Any])
            let ownerID = try #require((me["user"] as? [String: Any])?["id"] as? String)

            let adminMakesOwner = try await client.post(
                APIBody.json(["email": "x@acme.example", "role": "owner"]), to: "/api/v1/invitations", token: admin)
            #expect(adminMakesOwner.status == .forbidden)
            let adminDemotesOwner = try await client.post(
                APIBody.json(["role": "agent"]), to: "/api/v1/members/\(ownerID)", token: admin, method: .patch)
            #expect(adminDemotesOwner.status == .forbidden)
            let lastOwner = try await client.post(
                APIBody.json(["role": "admin"]), to: "/api/v1/members/\(ownerID)", token: owner, method: .patch)
            #expect(lastOwner.status == .conflict)
            let badID = try await client.post(
                APIBody.json(["role": "admin"]), to: "/api/v1/members/not-a-uuid", token: owner, method: .patch)
            // A path naming nothing (not an id at all) is as missing as an unknown id.
            #expect(badID.status == .notFound)
        }
    }

    @Test func personalTokensAreShownOnceWorkAndCanBeRevoked() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let created = try #require(
                try await client.post(APIBody.json(["name": "ci"]), to: "/api/v1/tokens", token: owner).json() as? [String: Any])
            let secret = try #require(created["token"] as? String)
            let id = try #require((created["info"] as? [String: Any])?["id"] as? String)
            #expect(secret.hasPrefix("kefu_pat_"))
            #expect(try await client.get("/api/v1/me", token: secret).status == .ok)
            let listed = try #require(try await client.get("/api/v1/tokens", token: owner).json() as? [[String: Any]])
            #expect(listed.count == 1)
            #expect(listed[0]["last_used_at"] is String)
            #expect(!String(describing: listed).contains(secret))
            let revoked = try await client.execute(
                uri: "/api/v1/tokens/\(id)", method: .delete, headers: [.authorization: "Bearer \(owner)"])
            #expect(revoked.status == .ok)
            #expect(try await client.get("/api/v1/me", token: secret).status == .unauthorized)
            let empty = try await client.post(APIBody.json(["name": "  "]), to: "/api/v1/tokens", token: owner)
            #expect(empty.status == .unprocessableContent)
        }
    }

    @Test func updatingTheWorkspaceIsValidatedAndAudited() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let bad = try await client.post(
                APIBody.json(["default_locale": "klingon"]), to: "/api/v1/workspace", token: owner, method: .patch)
            #expect(bad.status == .unprocessableContent)
            let ok = try await client.post(
                APIBody.json(["name": "Acme 商店", "default_locale": "zh-CN"]), to: "/api/v1/workspace", token: owner,
                method: .patch)
            let body = try #require(try ok.json() as? [String: Any])
            #expect(body["name"] as? String == "Acme 商店")
            #expect(body["default_locale"] as? String == "zh-CN")
            let audit = try #require(try await client.get("/api/v1/audit-events", token: owner).json() as? [String: Any])
            #expect((audit["data"] as? [[String: Any]])?.first?["action"] as? String == "settings.changed")
        }
    }
}

@Suite struct CredentialSweeperTests {
    @Test(arguments: TestDatabase.all)
    func expiredSessionsAndBearerTokensAreDeletedButPersonalTokensStay(_ db: TestDatabase) async throws {
        try await TestApp.run(db, configure: { $0.bearerTokenMinutes = 1 }) { app, client in
            let bearer = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let personal = try #require(
                try await client.post(APIBody.json(["name": "ci"]), to: "/api/v1/tokens", token: bearer).json() as? [String: Any])
            let later = WallClock { Date().addingTimeInterval(3600) }
            let sweeper = CredentialSweeper(store: app.dependencies.store, clock: later, logger: .init(label: "test"))
            #expect(try await sweeper.sweep() == 1)
            #expect(try await sweeper.sweep() == 0)
            #expect(try await client.get("/api/v1/me", token: personal["token"] as? String).status == .ok)
        }
    }
}
