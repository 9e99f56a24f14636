import Foundation
import HTTPTypes
import HummingbirdTesting
import KefuCore
import NIOCore
import Testing

@testable import KefuServer

/// The agents' ticket pages, SLA settings and the action editor through the router as a browser uses them: views
/// with counts, search by number, replies and notes, property changes with history, bulk changes, merging, saved
/// views; who may change what; markup shown as text; bad input answered on the page and changing nothing.
@Suite(.timeLimit(.minutes(30))) struct TicketPagesTests {
    typealias Browser = PagesTests.Browser

    static func signIn(_ email: String, _ client: any TestClientProtocol) async throws -> (Browser, String) {
        var browser = Browser()
        let login = String(buffer: try await browser.get("/login", client).body)
        let csrf = try #require(Browser.csrf(in: login))
        let done = try await browser.post("/login", ["_csrf": csrf, "email": email, "password": TestApp.password], client)
        #expect(done.status == .seeOther)
        let shell = String(buffer: try await browser.get("/app", client).body)
        return (browser, try #require(Browser.csrf(in: shell)))
    }

    static func open(_ subject: String, priority: String, token: String, client: any TestClientProtocol) async throws
        -> [String: Any]
    {
        try #require(
            try await client.post(
                APIBody.json([
                    "subject": subject, "body": "Details of " + subject, "requester_email": "ann@example.com",
                    "priority": priority,
                ]), to: "/api/v1/tickets", token: token
            ).json() as? [String: Any])
    }

    @Test func anAgentWorksTicketsThroughThePages() async throws {
        try await TestApp.run { app, client in
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let first = try await Self.open(
                "<script>alert(1)</script> kettle leaks", priority: "high", token: agent, client: client)
            let second = try await Self.open("Refund twice", priority: "normal", token: agent, client: client)
            let firstID = try #require(first["id"] as? String)
            let secondID = try #require(second["id"] as? String)
            var (browser, csrf) = try await Self.signIn("agent@shop.example", client)

            let list = String(buffer: try await browser.get("/app/tickets?status=new", client).body)
            #expect(list.contains("&lt;script&gt;alert(1)&lt;/script&gt; kettle leaks") && !list.contains("<script>alert(1)"))
            #expect(list.contains("Refund twice"))
            #expect(list.contains("All open 全部未解决</a> <span class=\"count\">2</span>"), "views with counts")
            let found = try await browser.get("/app/tickets?q=%232", client)
            #expect(found.headers[.location] == "/app/tickets/\(secondID)", "#2 opens ticket 2")

            // A reply, a note, then the properties: each lands in the history, the SLA-less ticket says so.
            let reply = try await browser.post(
                "/app/tickets/\(firstID)/comments", ["_csrf": csrf, "visibility": "public", "body": "We <b>ship</b> a new one"],
                client)
            #expect(reply.status == .seeOther)
            _ = try await browser.post(
                "/app/tickets/\(firstID)/comments", ["_csrf": csrf, "visibility": "note", "body": "check stock"], client)
            let saved = try await browser.post(
                "/app/tickets/\(firstID)",
                [
                    "_csrf": csrf, "status": "pending", "priority": "urgent", "type": "incident", "assignee_id": "",
                    "team_id": "", "tags": "vip, Refund", "custom_fields": "order_number: 123456",
                ], client)
            #expect(saved.headers[.location] == "/app/tickets/\(firstID)?flash=ticket_saved")
            let page = String(buffer: try await browser.get("/app/tickets/\(firstID)", client).body)
            #expect(page.contains("We &lt;b&gt;ship&lt;/b&gt; a new one"))
            #expect(page.contains("ticket-event note") && page.contains("check stock"))
            #expect(page.contains("Open → Pending") && page.contains("High → Urgent"))
            #expect(page.contains("value=\"refund, vip\"") && page.contains("order_number: 123456"))
            #expect(page.contains("No SLA policy applies."))
            let detail = try #require(try await client.get("/api/v1/tickets/\(firstID)", token: agent).json() as? [String: Any])
            #expect(detail["status"] as? String == "pending" && detail["type"] as? String == "incident")

            // A custom-field line without a colon: the page says why and nothing changes.
            let bad = try await browser.post(
                "/app/tickets/\(firstID)", ["_csrf": csrf, "status": "solved", "custom_fields": "no colon here"], client)
            #expect(bad.status == .ok && String(buffer: bad.body).contains("id=\"form-error\""))
            let unchanged = try #require(
                try await client.get("/api/v1/tickets/\(firstID)", token: agent).json() as? [String: Any])
            #expect(unchanged["status"] as? String == "pending")

            // Bulk: both to "solved" in one go; the form comes back to the list.
            let bulk = try await browser.postPairs(
                "/app/tickets/bulk",
                [("_csrf", csrf), ("ids", firstID), ("ids", secondID), ("status", "solved"), ("back", "/app/tickets")], client)
            #expect(bulk.headers[.location] == "/app/tickets?flash=tickets_updated")
            for id in [firstID, secondID] {
                let ticket = try #require(try await client.get("/api/v1/tickets/\(id)", token: agent).json() as? [String: Any])
                #expect(ticket["status"] as? String == "solved")
            }

            // Merge the first into #2 by number; a number that does not exist is an error on the page.
            let nowhere = try await browser.post("/app/tickets/\(firstID)/merge", ["_csrf": csrf, "into": "#99"], client)
            #expect(String(buffer: nowhere.body).contains("id=\"form-error\""))
            let merged = try await browser.post("/app/tickets/\(firstID)/merge", ["_csrf": csrf, "into": "#2"], client)
            #expect(merged.headers[.location] == "/app/tickets/\(secondID)?flash=ticket_merged")
            let gone = try #require(try await client.get("/api/v1/tickets/\(firstID)", token: agent).json() as? [String: Any])
            #expect(gone["status"] as? String == "closed" && gone["merged_into_id"] as? String == secondID)

            // A saved view of the filters; an agent may not share it with the workspace.
            let mine = try await browser.post(
                "/app/tickets/views", ["_csrf": csrf, "name": "Urgent ones", "priority": "urgent"], client)
            #expect(mine.headers[.location]?.hasPrefix("/app/tickets?view=") == true)
            let shared = try await browser.post(
                "/app/tickets/views", ["_csrf": csrf, "name": "Everyone's", "priority": "urgent", "shared": "on"], client)
            #expect(shared.status == .forbidden || String(buffer: shared.body).contains("id=\"form-error\""))
            let views = String(buffer: try await browser.get("/app/tickets", client).body)
            let urgentLine = views.components(separatedBy: "\n").first { $0.contains("Urgent ones") } ?? ""
            #expect(urgentLine.contains("Urgent ones</a> <span class=\"count\">1</span>"), "\(urgentLine)")

            // A new ticket from the page.
            let made = try await browser.post(
                "/app/tickets/new",
                [
                    "_csrf": csrf, "subject": "Phone order", "requester_email": "caller@example.com", "priority": "low",
                    "body": "Called in",
                ],
                client)
            #expect(made.headers[.location]?.hasSuffix("?flash=ticket_created") == true)
            let noEmail = try await browser.post(
                "/app/tickets/new", ["_csrf": csrf, "subject": "x", "requester_email": "nope", "body": "y"], client)
            #expect(String(buffer: noEmail.body).contains("id=\"form-error\""))
            let total = try #require(try await client.get("/api/v1/tickets", token: agent).json() as? [String: Any])
            #expect(total["total"] as? Int == 3)
        }
    }

    @Test func slaPoliciesAreKeptOnTheirPageBySupervisorsAndTheWebhookByAdmins() async throws {
        try await TestApp.run { app, client in
            _ = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            _ = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            var (agent, agentCSRF) = try await Self.signIn("agent@shop.example", client)
            let readable = String(buffer: try await agent.get("/app/settings/sla", client).body)
            #expect(
                readable.contains("id=\"sla-table\"") && !readable.contains("id=\"sla-new\"") && !readable.contains("sla-webhook")
            )
            let refused = try await agent.post(
                "/app/settings/sla/new", ["_csrf": agentCSRF, "name": "Mine", "warn_before": "10", "first_high": "1h"], client)
            #expect(refused.status == .forbidden)

            var (owner, csrf) = try await Self.signIn("owner@shop.example", client)
            let zero = try await owner.post(
                "/app/settings/sla/new",
                ["_csrf": csrf, "name": "Broken", "warn_before": "10", "first_high": "0", "enabled": "on"], client)
            #expect(String(buffer: zero.body).contains("id=\"form-error\""))
            let garbled = try await owner.post(
                "/app/settings/sla/new", ["_csrf": csrf, "name": "Broken", "warn_before": "10", "first_high": "soon"], client)
            #expect(String(buffer: garbled.body).contains("id=\"form-error\""))
            let made = try await owner.post(
                "/app/settings/sla/new",
                [
                    "_csrf": csrf, "name": "Standard", "warn_before": "15", "business_hours": "on", "enabled": "on",
                    "first_high": "1h", "resolution_high": "1d", "first_normal": "4h", "resolution_normal": "2d",
                ], client)
            #expect(made.headers[.location] == "/app/settings/sla?flash=sla_saved")
            let policies = try await app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop")).slaPolicies.all()
            #expect(policies.count == 1)
            let high = try #require(policies.first?.targets.first { $0.priority == .high })
            #expect(high.firstResponseMinutes == 60 && high.resolutionMinutes == 1440)

            let page = String(buffer: try await owner.get("/app/settings/sla", client).body)
            #expect(page.contains("High 1 h / 1 d") && page.contains("id=\"sla-webhook\""))
            let loopback = try await owner.post(
                "/app/settings/sla/webhook", ["_csrf": csrf, "url": "http://127.0.0.1:9/hook"], client)
            #expect(String(buffer: loopback.body).contains("id=\"webhook-error\""))
            let settings = try await app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop")).actions.settings()
            #expect(settings?.slaWebhookURL == nil)
            let agentHook = try await agent.post(
                "/app/settings/sla/webhook", ["_csrf": agentCSRF, "url": "https://hooks.example.com/sla"], client)
            #expect(agentHook.status == .forbidden)
        }
    }

    @Test func theActionEditorSealsSecretsRefusesPrivateTargetsAndTestCallsTheBackend() async throws {
        try await TestApp.run(live: true) { app, client in
            _ = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            _ = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let workspace = try await app.workspaceID("tea-shop")
            let data = app.dependencies.store.scoped(to: workspace)
            let actions = app.dependencies.actions
            let secret: @Sendable () async -> String? = {
                guard let settings = try? await actions.settings(data) else { return nil }
                return try? actions.caller.box.open(settings.sealedSigningSecret)
            }
            try await DemoShopServer.run(secret: secret) { port, _ in
                var (owner, csrf) = try await Self.signIn("owner@shop.example", client)
                let fields = [
                    "_csrf": csrf, "name": "query_order", "method": "GET", "timeout_ms": "3000",
                    "url": "http://127.0.0.1:\(port)/api/orders/{{order_number}}",
                    "inputs": "order_number order_number required", "headers": "Accept: application/json",
                    "secret_headers": "Authorization: Bearer sk_live_TOPSECRET", "mapping": "order_status = $.order.status",
                    "reply_zh": "订单状态：{{order_status}}", "reply_en": "Status: {{order_status}}", "enabled": "on",
                ]
                // Loopback is refused until an admin allow-lists it on the actions page.
                let refused = try await owner.post("/app/settings/actions/new", fields, client)
                #expect(String(buffer: refused.body).contains("id=\"form-error\""))
                #expect(try await data.actions.all().isEmpty)
                let listed = try await owner.post(
                    "/app/settings/actions/security", ["_csrf": csrf, "allowlist": "127.0.0.1:\(port)"], client)
                #expect(listed.headers[.location] == "/app/settings/actions?flash=actions_saved")

                let saved = try await owner.post("/app/settings/actions/new", fields, client)
                let location = try #require(saved.headers[.location])
                #expect(location.hasPrefix("/app/settings/actions/") && location.hasSuffix("?flash=action_saved"))
                let editor = String(buffer: try await owner.get(location, client).body)
                #expect(editor.contains("Authorization:") && !editor.contains("TOPSECRET"), "a secret is never shown again")
                #expect(editor.contains("order_status = $.order.status") && editor.contains("id=\"action-test\""))
                let stored = try #require(try await data.actions.all().first)
                #expect(stored.headers.first { $0.secret }.map { !$0.value.contains("TOPSECRET") } == true)

                // Saved again without retyping the secret: kept; pointed at a metadata address: refused, unchanged.
                let path = String(location.prefix { $0 != "?" })
                var kept = fields
                kept["secret_headers"] = "Authorization:"
                kept["timeout_ms"] = "2500"
                #expect(try await owner.post(path, kept, client).headers[.location] == path + "?flash=action_saved")
                var metadata = kept
                metadata["url"] = "http://169.254.169.254/latest/{{order_number}}"
                #expect(String(buffer: try await owner.post(path, metadata, client).body).contains("id=\"form-error\""))
                let after = try #require(try await data.actions.all().first)
                #expect(after.url == fields["url"] && after.timeoutMilliseconds == 2500)
                #expect(after.headers.first { $0.secret } == stored.headers.first { $0.secret })

                // The test call reaches the backend (which checks the signature) and shows the mapped value and reply.
                let tested = String(
                    buffer: try await owner.post(path + "/test", ["_csrf": csrf, "value_order_number": "123456"], client).body)
                let shown = String(tested.components(separatedBy: "action-test-result").last?.prefix(400) ?? "")
                #expect(tested.contains(">Found<") && tested.contains("HTTP 200"), "\(shown)")
                #expect(tested.contains("id=\"action-test-reply\">Status: "), "\(shown)")
                let missing = String(
                    buffer: try await owner.post(path + "/test", ["_csrf": csrf, "value_order_number": "999999"], client).body)
                #expect(missing.contains(">Not found<") && missing.contains("HTTP 404"))
                #expect(try await data.actions.calls(stored.id, limit: 10).count == 2)

                var (agent, _) = try await Self.signIn("agent@shop.example", client)
                #expect(try await agent.get("/app/settings/actions", client).status == .forbidden)
                let secretPage = String(buffer: try await owner.get("/app/settings/actions", client).body)
                #expect(!secretPage.contains("id=\"signing-secret\""), "the signing secret only on request")
                #expect(String(buffer: try await owner.get("/app/settings/actions?reveal=1", client).body).contains("whsec_"))
            }
        }
    }
}

extension PagesTests.Browser {
    /// A form with repeated keys (checkbox lists).
    mutating func postPairs(_ uri: String, _ pairs: [(String, String)], _ client: any TestClientProtocol) async throws
        -> TestResponse
    {
        let body = pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            .joined(separator: "&")
        let response = try await client.execute(
            uri: uri, method: .post, headers: [.cookie: cookieHeader, .contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: body))
        keep(response)
        return response
    }
}
