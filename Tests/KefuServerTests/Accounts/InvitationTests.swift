import Foundation
import HTTPTypes
import HummingbirdTesting
import KefuCore
import KefuServer
import NIOCore
import Testing

/// Invitations cannot be used to guess passwords or to bring back removed members, and they can be listed and revoked.
@Suite struct InvitationTests {
    typealias Browser = PagesTests.Browser

    static func invite(_ email: String, role: String, token: String, client: any TestClientProtocol) async throws -> String {
        let body = try #require(
            try await client.post(APIBody.json(["email": email, "role": role]), to: "/api/v1/invitations", token: token).json()
                as? [String: Any])
        let url = try #require(body["invite_url"] as? String)
        return "/" + url.split(separator: "/", omittingEmptySubsequences: false).suffix(2).joined(separator: "/")
    }

    @Test func anExistingAccountJoinsOnlyWhenSignedInAndTheFormIsNoPasswordOracle() async throws {
        try await TestApp.run { app, client in
            try await app.member("victim@a.example", workspace: "shop-a", role: .owner, client: client)
            let adminB = try await app.member("admin@b.example", workspace: "shop-b", role: .owner, client: client)
            let path = try await Self.invite("victim@a.example", role: "admin", token: adminB, client: client)

            var attacker = Browser()
            let page = String(buffer: try await attacker.get(path, client).body)
            let csrf = try #require(Browser.csrf(in: page))
            #expect(!page.contains("current-password"))
            var answers: [String] = []
            for password in ["wrong guess one", TestApp.password] {
                let response = try await attacker.post(path, ["_csrf": csrf, "name": "X", "password": password], client)
                #expect(response.status == .conflict)
                answers.append(String(buffer: response.body).replacingOccurrences(of: csrf, with: ""))
            }
            #expect(answers[0] == answers[1], "the right password must not be told apart from a wrong one")
            for _ in 0..<12 {
                _ = try await attacker.post(path, ["_csrf": csrf, "name": "X", "password": "guess guess"], client)
            }
            let locked = try await attacker.post(path, ["_csrf": csrf, "name": "X", "password": TestApp.password], client)
            #expect(locked.status == .tooManyRequests)

            // Not a member of B; the failures are in B's audit log.
            let membersB = try #require(try await client.get("/api/v1/members", token: adminB).json() as? [String: Any])
            let emails = (membersB["data"] as? [[String: Any]])?.compactMap { $0["email"] as? String } ?? []
            #expect(!emails.contains("victim@a.example"))
            let audit = try #require(try await client.get("/api/v1/audit-events", token: adminB).json() as? [String: Any])
            let actions = (audit["data"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
            #expect(actions.contains("member.invitation_failed"))
        }
    }

    @Test func aSignedInInviteeJoinsWithOneClick() async throws {
        try await TestApp.run { app, client in
            try await app.member("person@a.example", workspace: "shop-a", role: .owner, client: client)
            let ownerB = try await app.member("owner@b.example", workspace: "shop-b", role: .owner, client: client)
            let path = try await Self.invite("person@a.example", role: "agent", token: ownerB, client: client)
            var browser = Browser()
            let login = String(buffer: try await browser.get("/login", client).body)
            let loginCSRF = try #require(Browser.csrf(in: login))
            let signedIn = try await browser.post(
                "/login", ["_csrf": loginCSRF, "email": "person@a.example", "password": TestApp.password, "next": path], client)
            #expect(signedIn.headers[.location] == path)
            let page = String(buffer: try await browser.get(path, client).body)
            #expect(page.contains("person@a.example") && !page.contains("name=\"password\""))
            let joined = try await browser.post(path, ["_csrf": try #require(Browser.csrf(in: page))], client)
            #expect(joined.headers[.location] == "/app")
            let token = try await app.token(email: "person@a.example", workspace: "shop-b", client: client)
            let me = try #require(try await client.get("/api/v1/me", token: token).json() as? [String: Any])
            #expect(me["role"] as? String == "agent")
        }
    }

    @Test func removingAMemberRevokesTheirLinksAndADemotedInvitersLinksStopWorking() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let first = try await Self.invite("back@acme.example", role: "agent", token: owner, client: client)
            let second = try await Self.invite("back@acme.example", role: "agent", token: owner, client: client)
            let members = app.dependencies.members
            let joined = try await members.acceptInvitation(
                token: String(first.split(separator: "/").last ?? ""), displayName: "Back", password: TestApp.password, ip: nil)
            _ = try await client.execute(
                uri: "/api/v1/members/\(joined.user.id)", method: .delete, headers: [.authorization: "Bearer \(owner)"])
            #expect(try await client.get(second).status == .notFound)

            let admin = try await app.member("admin@acme.example", workspace: "acme", role: .admin, client: client)
            let adminsLink = try await Self.invite("new-admin@acme.example", role: "admin", token: admin, client: client)
            let me = try #require(try await client.get("/api/v1/me", token: admin).json() as? [String: Any])
            let adminID = try #require((me["user"] as? [String: Any])?["id"] as? String)
            _ = try await client.post(
                APIBody.json(["role": "agent"]), to: "/api/v1/members/\(adminID)", token: owner, method: .patch)
            await #expect(throws: DomainError.notFound(.invitation)) {
                _ = try await members.acceptInvitation(
                    token: String(adminsLink.split(separator: "/").last ?? ""), displayName: "N", password: TestApp.password,
                    ip: nil)
            }
        }
    }

    @Test func openInvitationsAreListedAndRevocable() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let agent = try await app.member("agent@acme.example", workspace: "acme", role: .agent, client: client)
            let path = try await Self.invite("someone@acme.example", role: "agent", token: owner, client: client)
            let list = try #require(try await client.get("/api/v1/invitations", token: owner).json() as? [[String: Any]])
            #expect(list.map { $0["email"] as? String } == ["someone@acme.example"])
            let id = try #require(list.first?["id"] as? String)
            #expect(try await client.get("/api/v1/invitations", token: agent).status == .forbidden)
            let revoked = try await client.execute(
                uri: "/api/v1/invitations/\(id)", method: .delete, headers: [.authorization: "Bearer \(owner)"])
            #expect(revoked.status == .ok)
            #expect(try await client.get(path).status == .notFound)
            #expect(try #require(try await client.get("/api/v1/invitations", token: owner).json() as? [Any]).isEmpty)
        }
    }
}
