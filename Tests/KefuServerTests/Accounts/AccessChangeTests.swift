import Foundation
import HummingbirdTesting
import KefuCore
import KefuServer
import Testing

/// Resolved identities are cached for a few seconds; every change of who may do what is seen at once on this
/// instance, because the services publish an access-change event that empties the caches.
@Suite struct AccessChangeTests {
    static func me(_ client: any TestClientProtocol, _ token: String) async throws -> [String: Any]? {
        try await client.get("/api/v1/me", token: token).json() as? [String: Any]
    }

    @Test func roleChangesRenamesRemovalsAndRevocationsAreSeenAtOnce() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let agent = try await app.member("agent@acme.example", workspace: "acme", role: .agent, client: client)
            let created = try #require(
                try await client.post(APIBody.json(["name": "ci"]), to: "/api/v1/tokens", token: agent).json() as? [String: Any])
            let personal = try #require(created["token"] as? String)
            let tokenID = try #require((created["info"] as? [String: Any])?["id"] as? String)
            let agentID = try #require((try await Self.me(client, agent)?["user"] as? [String: Any])?["id"] as? String)
            #expect(try await Self.me(client, personal)?["role"] as? String == "agent")  // now cached

            _ = try await client.post(
                APIBody.json(["role": "supervisor"]), to: "/api/v1/members/\(agentID)", token: owner, method: .patch)
            let promoted = try await Self.me(client, personal)
            #expect(promoted?["role"] as? String == "supervisor")
            #expect((promoted?["workspaces"] as? [[String: Any]])?.first?["role"] as? String == "supervisor")

            _ = try await client.post(APIBody.json(["name": "Acme 2"]), to: "/api/v1/workspace", token: owner, method: .patch)
            #expect((try await Self.me(client, personal)?["workspace"] as? [String: Any])?["name"] as? String == "Acme 2")

            _ = try await client.execute(
                uri: "/api/v1/tokens/\(tokenID)", method: .delete, headers: [.authorization: "Bearer \(agent)"])
            #expect(try await client.get("/api/v1/me", token: personal).status == .unauthorized)

            #expect(try await client.get("/api/v1/me", token: agent).status == .ok)
            _ = try await client.execute(
                uri: "/api/v1/members/\(agentID)", method: .delete, headers: [.authorization: "Bearer \(owner)"])
            #expect(try await client.get("/api/v1/me", token: agent).status == .unauthorized)
        }
    }
}
