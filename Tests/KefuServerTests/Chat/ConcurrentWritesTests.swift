import Foundation
import HTTPTypes
import HummingbirdTesting
import KefuCore
import KefuServer
import KefuTestSupport
import Testing

/// Writers racing on the same rows queue or get a 409 with a code; none gets a 500 ("database is locked").
@Suite struct ConcurrentWritesTests {
    static func userID(_ client: any TestClientProtocol, _ token: String) async throws -> String {
        let me = try #require(try await client.get("/api/v1/me", token: token).json() as? [String: Any])
        return try #require((me["user"] as? [String: Any])?["id"] as? String)
    }

    @Test(arguments: TestDatabase.all)
    func fiftyWritersOnTheSameMemberNeverFail(_ db: TestDatabase) async throws {
        try await TestApp.run(db) { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let agent = try await app.member("agent@acme.example", workspace: "acme", role: .agent, client: client)
            let agentID = try await Self.userID(client, agent)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<50 {
                    group.addTask {
                        let role = i % 2 == 0 ? "supervisor" : "agent"
                        if i % 5 == 0 {
                            return try await client.post(APIBody.json(["name": "team \(i)"]), to: "/api/v1/teams", token: owner)
                                .status
                        }
                        return try await client.post(
                            APIBody.json(["role": role]), to: "/api/v1/members/\(agentID)", token: owner, method: .patch
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.count == 50)
            #expect(statuses.allSatisfy { [.ok, .created, .conflict].contains($0) }, "\(statuses.map(\.code))")
            let teams = try #require(try await client.get("/api/v1/teams", token: owner).json() as? [Any])
            #expect(teams.count == statuses.filter { $0 == .created }.count)
        }
    }

    @Test(arguments: TestDatabase.all)
    func twoOwnersDemotingEachOtherLeaveOneOwner(_ db: TestDatabase) async throws {
        try await TestApp.run(db) { app, client in
            let first = try await app.member("one@acme.example", workspace: "acme", role: .owner, client: client)
            let second = try await app.member("two@acme.example", workspace: "acme", role: .owner, client: client)
            let firstID = try await Self.userID(client, first)
            let secondID = try await Self.userID(client, second)
            async let a = client.post(
                APIBody.json(["role": "agent"]), to: "/api/v1/members/\(secondID)", token: first, method: .patch)
            async let b = client.post(
                APIBody.json(["role": "agent"]), to: "/api/v1/members/\(firstID)", token: second, method: .patch)
            let statuses = [try await a.status, try await b.status]
            #expect(statuses.allSatisfy { [.ok, .conflict, .forbidden, .unauthorized].contains($0) }, "\(statuses)")
            let members = try #require(try await client.get("/api/v1/members", token: first).json() as? [String: Any])
            let roles = (members["data"] as? [[String: Any]])?.compactMap { $0["role"] as? String } ?? []
            #expect(roles.filter { $0 == "owner" }.count == 1, "\(roles)")
        }
    }

    @Test(arguments: TestDatabase.all)
    func sixSimultaneousAcceptsOfOneInvitationMakeOneMember(_ db: TestDatabase) async throws {
        try await TestApp.run(db) { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let invite = try #require(
                try await client.post(
                    APIBody.json(["email": "new@acme.example", "role": "agent"]), to: "/api/v1/invitations", token: owner
                ).json() as? [String: Any])
            let token = try #require((invite["invite_url"] as? String)?.split(separator: "/").last.map(String.init))
            let members = app.dependencies.members
            let outcomes = await withTaskGroup(of: String.self) { group in
                for i in 0..<6 {
                    group.addTask {
                        do {
                            _ = try await members.acceptInvitation(
                                token: token, displayName: "New \(i)", password: TestApp.password, ip: nil)
                            return "joined"
                        } catch let error as DomainError {
                            return "\(error)"
                        } catch {
                            return "unexpected: \(error)"
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "joined" }.count == 1, "\(outcomes)")
            #expect(!outcomes.contains { $0.hasPrefix("unexpected") }, "\(outcomes)")
        }
    }
}
