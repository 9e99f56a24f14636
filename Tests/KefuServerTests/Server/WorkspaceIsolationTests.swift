import Foundation
import HummingbirdTesting
import KefuCore
import KefuServer
import KefuTestSupport
import NIOCore
import Testing

/// A user of workspace A cannot read or change anything of workspace B through any route.
@Suite struct WorkspaceIsolationTests {
    @Test(arguments: TestDatabase.all)
    func anAdminOfOneWorkspaceCannotTouchAnother(_ db: TestDatabase) async throws {
        try await TestApp.run(db) { app, client in
            let adminA = try await app.member("admin@a.example", workspace: "shop-a", role: .owner, client: client)
            let ownerB = try await app.member("owner@b.example", workspace: "shop-b", role: .owner, client: client)
            try await app.member("agent@b.example", workspace: "shop-b", role: .agent, client: client)

            let me = try #require(try await client.get("/api/v1/me", token: ownerB).json() as? [String: Any])
            let userB = try #require((me["user"] as? [String: Any])?["id"] as? String)
            let membersB = try #require(try await client.get("/api/v1/members", token: ownerB).json() as? [String: Any])
            let agentB = try #require(
                (membersB["data"] as? [[String: Any]])?.first { $0["email"] as? String == "agent@b.example" }?["user_id"]
                    as? String)
            let created = try #require(
                try await client.post(APIBody.json(["name": "b-token"]), to: "/api/v1/tokens", token: ownerB).json()
                    as? [String: Any])
            let tokenB = try #require((created["info"] as? [String: Any])?["id"] as? String)

            // Reads only ever show A.
            let membersSeenByA = try #require(try await client.get("/api/v1/members", token: adminA).json() as? [String: Any])
            let emails = (membersSeenByA["data"] as? [[String: Any]])?.compactMap { $0["email"] as? String } ?? []
            #expect(emails == ["admin@a.example"])
            let audit = try #require(try await client.get("/api/v1/audit-events", token: adminA).json() as? [String: Any])
            let targets = (audit["data"] as? [[String: Any]])?.compactMap { $0["target"] as? String } ?? []
            #expect(!targets.contains { $0.contains("b.example") })
            let workspace = try #require(try await client.get("/api/v1/workspace", token: adminA).json() as? [String: Any])
            #expect(workspace["slug"] as? String == "shop-a")

            // Writes aimed at B's ids are not found, and change nothing.
            for userID in [userB, agentB] {
                let patch = try await client.post(
                    APIBody.json(["role": "agent"]), to: "/api/v1/members/\(userID)", token: adminA, method: .patch)
                #expect(patch.status == .notFound)
                let delete = try await client.execute(
                    uri: "/api/v1/members/\(userID)", method: .delete, headers: [.authorization: "Bearer \(adminA)"])
                #expect(delete.status == .notFound)
            }
            let revoke = try await client.execute(
                uri: "/api/v1/tokens/\(tokenB)", method: .delete, headers: [.authorization: "Bearer \(adminA)"])
            #expect(revoke.status == .notFound)

            // A's credentials do not open B.
            let crossSignIn = try await client.post(
                APIBody.json(["email": "admin@a.example", "password": TestApp.password, "workspace": "shop-b"]),
                to: "/api/v1/auth/token")
            #expect(crossSignIn.status == .unauthorized)

            let afterB = try #require(try await client.get("/api/v1/members", token: ownerB).json() as? [String: Any])
            let rolesB = (afterB["data"] as? [[String: Any]])?.compactMap { $0["role"] as? String }.sorted()
            #expect(rolesB == ["agent", "owner"])
            let tokensB = try #require(try await client.get("/api/v1/tokens", token: ownerB).json() as? [[String: Any]])
            #expect(tokensB.first?["revoked_at"] == nil)
        }
    }
}
