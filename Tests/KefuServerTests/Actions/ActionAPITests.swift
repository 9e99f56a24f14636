import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuCore
import KefuStore
import KefuTestSupport
import Testing

@testable import KefuServer

/// Business actions: private targets refused unless allow-listed, secrets never shown, real calls (against this
/// server's own endpoints) mapped to outcomes and logged.
@Suite(.timeLimit(.minutes(30))) struct ActionAPITests {
    private func define(_ client: any TestClientProtocol, _ body: [String: Any], token: String) async throws -> TestResponse {
        try await client.post(APIBody.json(body), to: "/api/v1/actions", token: token)
    }

    @Test func privateLoopbackAndMetadataTargetsAreRefusedUnlessAllowListed() async throws {
        try await TestApp.run(live: true) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .supervisor, client: client)
            for url in [
                "http://127.0.0.1:8080/orders/{{order}}", "http://localhost/x", "http://10.0.0.5/x", "http://192.168.1.1/x",
                "http://169.254.169.254/latest/meta-data/", "http://[::1]/x", "http://0.0.0.0/x", "ftp://example.com/x",
                "http://172.16.0.1/x",
                // Spellings another parser reads as a private address (octal, hex, integer, short, trailing dot).
                "http://012.255.255.1/x", "http://172.032.0.1/x", "http://0x7f.0.0.1/x", "http://2130706433/x",
                "http://127.1/x", "http://10.0.0.1./x", "http://0177.0.0.1/x", "http://[::ffff:10.0.0.1]/x",
                "http://[::ffff:a00:1]/x", "http://[64:ff9b::a9fe:a9fe]/x",
            ] {
                let response = try await define(
                    client,
                    ["name": "query_order", "method": "GET", "url": url, "inputs": [["name": "order", "kind": "order_number"]]],
                    token: owner)
                #expect(response.status == .unprocessableContent, "\(url)")
                // Not http(s) at all is refused by the document's pattern before the guard looks.
                let expected = url.hasPrefix("ftp:") ? "validation_failed" : "url_not_allowed"
                #expect(response.errorCode == expected, "\(url): \(String(buffer: response.body))")
            }
            #expect(
                try await define(client, ["name": "x", "method": "GET", "url": "http://127.0.0.1/"], token: agent).status
                    == .forbidden)
            // The allow-list opens private hosts, never the metadata address.
            _ = try await client.post(
                APIBody.json(["allowlist": ["169.254.169.254", "10.0.0.5"]]), to: "/api/v1/action-settings", token: owner,
                method: .put)
            let metadata = try await define(
                client, ["name": "meta", "method": "GET", "url": "http://169.254.169.254/latest/meta-data/"], token: owner)
            #expect(metadata.errorCode == "url_not_allowed")
            let list = try #require(try await client.get("/api/v1/actions", token: owner).json() as? [String: Any])
            #expect((list["data"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func anAllowListedActionIsCalledSignedMappedAndLogged() async throws {
        try await TestApp.run(live: true) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let port = try #require(client.port)
            let settings = try await client.post(
                APIBody.json(["allowlist": ["127.0.0.1:\(port)", "localhost:\(port)"]]), to: "/api/v1/action-settings",
                token: owner, method: .put)
            #expect(settings.status == .ok)
            let secret = try #require((try settings.json() as? [String: Any])?["signing_secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            let created = try await define(
                client,
                [
                    "name": "health", "method": "GET", "url": "http://127.0.0.1:\(port)/{{path}}",
                    "inputs": [["name": "path", "kind": "text"]], "mapping": ["state": "$.status"],
                    "headers": [["name": "Authorization", "value": "Bearer very-secret", "secret": true]],
                    "reply": ["en": "State: {{state}}"],
                ], token: owner)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let action = try #require(try created.json() as? [String: Any])
            let id = try #require(action["id"] as? String)
            #expect(!String(buffer: created.body).contains("very-secret"))
            let stored = try await app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop")).actions.all()
            #expect(stored.first?.headers.first?.value.contains("very-secret") == false)

            func run(_ path: String) async throws -> [String: Any] {
                let response = try await client.post(
                    APIBody.json(["values": ["path": path]]), to: "/api/v1/actions/\(id)/test", token: owner)
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                return try #require(try response.json() as? [String: Any])
            }
            let found = try await run("health")
            #expect(found["outcome"] as? String == "found")
            #expect((found["values"] as? [String: String])?["state"] == "ok")
            #expect(found["status_code"] as? Int == 200)
            #expect(try await run("no-such-page")["outcome"] as? String == "not_found")
            let metrics = try await run("metrics")  // text, not JSON
            #expect(metrics["outcome"] as? String == "failed" && metrics["error"] as? String == "not_json")
            let ready = try await run("ready")  // JSON without `status`? it has one; the mapping needs $.status only
            #expect(ready["outcome"] as? String == "found")
            // A value is data: one that would climb the path is refused before anything is sent.
            for climb in ["..", "."] {
                let refused = try await run(climb)
                #expect(refused["outcome"] as? String == "failed" && refused["error"] as? String == "invalid_value")
                #expect(refused["status_code"] == nil, "nothing was sent")
            }
            // A value never names the host (nor where the secret header goes).
            for template in ["http://{{path}}/x", "http://127.0.0.1:\(port)/a/../{{path}}"] {
                let refused = try await define(
                    client,
                    ["name": "elsewhere", "method": "GET", "url": template, "inputs": [["name": "path", "kind": "text"]]],
                    token: owner)
                #expect(refused.status == .unprocessableContent, "\(template)")
            }

            // Pointed elsewhere, a kept secret must be typed again.
            let moved = try await client.post(
                APIBody.json([
                    "name": "health", "method": "GET", "url": "http://localhost:\(port)/{{path}}",
                    "inputs": [["name": "path", "kind": "text"]], "headers": [["name": "Authorization", "secret": true]],
                ]), to: "/api/v1/actions/\(id)", token: owner, method: .put)
            #expect(moved.status == .unprocessableContent && moved.errorCode == "validation_failed")
            // So does the same host over plain http after https: the secret would travel in the clear.
            let secure = try await define(
                client,
                [
                    "name": "secure", "method": "GET", "url": "https://127.0.0.1:\(port)/x",
                    "headers": [["name": "Authorization", "value": "Bearer very-secret", "secret": true]],
                ], token: owner)
            #expect(secure.status == .created, "\(String(buffer: secure.body))")
            let secureID = try #require((try secure.json() as? [String: Any])?["id"] as? String)
            let downgraded = try await client.post(
                APIBody.json([
                    "name": "secure", "method": "GET", "url": "http://127.0.0.1:\(port)/x",
                    "headers": [["name": "Authorization", "secret": true]],
                ]), to: "/api/v1/actions/\(secureID)", token: owner, method: .put)
            #expect(downgraded.status == .unprocessableContent && downgraded.errorCode == "validation_failed")

            let calls = try #require(try await client.get("/api/v1/actions/\(id)/calls", token: owner).json() as? [String: Any])
            let logged = try #require(calls["data"] as? [[String: Any]])
            #expect(logged.count == 6)
            #expect(logged.allSatisfy { ($0["target"] as? String)?.hasPrefix("127.0.0.1:\(port)/") == true })
        }
    }
}
