import Foundation
import HTTPTypes
import HummingbirdTesting
import KefuCore
import KefuServer
import NIOCore
import Testing

/// The document is enforced: what it refuses is refused with the field named, what it allows is accepted, unknown
/// methods on known paths are 405 with `Allow`, and a response that breaks it is noticed.
@Suite struct APIContractTests {
    @Test func schemaInvalidRequestsAreRefusedNamingTheField() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let cases: [(String, HTTPRequest.Method, [String: Any], String)] = [
                ("/api/v1/workspace", .patch, ["name": NSNull()], "name"),
                ("/api/v1/workspace", .patch, ["name": "   "], "name"),
                ("/api/v1/workspace", .patch, ["name": "a\u{1}b"], "name"),
                ("/api/v1/workspace", .patch, ["default_locale": "fr"], "default_locale"),
                ("/api/v1/teams", .post, ["name": ""], "name"),
                ("/api/v1/teams", .post, [:], "name"),
                ("/api/v1/invitations", .post, ["email": "not-an-email", "role": "agent"], "email"),
                ("/api/v1/invitations", .post, ["email": "x@y.example", "role": "root"], "role"),
            ]
            for (path, method, body, field) in cases {
                let response = try await client.post(APIBody.json(body), to: path, token: owner, method: method)
                #expect(response.status == .unprocessableContent, "\(method) \(path) \(body)")
                let fields = ((try? response.json()) as? [String: Any]).flatMap { $0["error"] as? [String: Any] }?["fields"]
                #expect((fields as? [String: String])?[field] != nil, "\(method) \(path) \(body)")
            }
            let workspace = try #require(try await client.get("/api/v1/workspace", token: owner).json() as? [String: Any])
            #expect(workspace["name"] as? String == "acme")
            let teams = try #require(try await client.get("/api/v1/teams", token: owner).json() as? [Any])
            #expect(teams.isEmpty)
        }
    }

    @Test func requestsTheDocumentAllowsAreAccepted() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            #expect(try await client.get("/api/v1/audit-events?cursor=", token: owner).status == .ok)
            #expect(try await client.get("/api/v1/members?cursor=", token: owner).status == .ok)
            let renamed = try await client.post(
                APIBody.json(["name": "  Acme 商店  ", "x-extra": 1]), to: "/api/v1/workspace", token: owner, method: .patch)
            #expect(renamed.status == .ok)
            #expect((try renamed.json() as? [String: Any])?["name"] as? String == "Acme 商店")
        }
    }

    @Test func messagesFollowAcceptLanguageAndCodesStay() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let response = try await client.execute(
                uri: "/api/v1/teams", method: .post,
                headers: [.authorization: "Bearer \(owner)", .contentType: "application/json", .acceptLanguage: "zh-CN"],
                body: APIBody.json(["name": ""]))
            let error = try #require((try response.json() as? [String: Any])?["error"] as? [String: Any])
            #expect(error["code"] as? String == "validation_failed")
            #expect(error["message"] as? String == "部分字段无效。")
            #expect((error["fields"] as? [String: String])?["name"] == "1 到 100 个字符")
        }
    }

    @Test func unknownMethodsOnKnownPathsAre405WithAllow() async throws {
        try await TestApp.run { _, client in
            let trace = try await client.execute(uri: "/api/v1/teams", method: .trace)
            #expect(trace.status == .methodNotAllowed)
            #expect(trace.headers[.allow] == "GET, POST")
            let put = try await client.execute(uri: "/api/v1/members/\(UUID())", method: .put)
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "DELETE, PATCH")
            #expect(try await client.execute(uri: "/api/v1/nothing-here", method: .get).status == .notFound)
        }
    }

    @Test func aResponseThatBreaksTheDocumentIsNoticed() async throws {
        try await TestApp.run { app, _ in
            let me = try #require(app.dependencies.contract.operation(.get, concretePath: "/api/v1/me"))
            #expect(!me.responseProblems(status: 200, contentType: "application/json", body: Data("{}".utf8)).isEmpty)
            #expect(!me.responseProblems(status: 418, contentType: "application/json", body: Data("{}".utf8)).isEmpty)
            let error = Data(#"{"error":{"code":"unauthenticated","message":"x"}}"#.utf8)
            #expect(me.responseProblems(status: 401, contentType: "application/json", body: error).isEmpty)
        }
    }
}
