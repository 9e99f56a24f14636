import Foundation
import HummingbirdTesting
import KefuCore
import KefuTestSupport
import Testing

@testable import KefuServer

/// E-mail through the delivery queue to a real SMTP server: ticket replies thread in the customer's mail client,
/// refusals end dead with the server's reply and are sent again by hand, and only admins see the queue.
@Suite(.timeLimit(.minutes(30))) struct EmailDeliveryTests {
    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try response.json() as? [String: Any])
    }

    /// Waits (bounded) until the delivery reaches `status`.
    static func delivery(
        _ client: any TestClientProtocol, _ id: String, token: String, status: String
    ) async throws -> [String: Any] {
        var current: [String: Any] = [:]
        for _ in 0..<600 {
            current = try object(try await client.get("/api/v1/deliveries/\(id)", token: token))
            if current["status"] as? String == status { return current }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("delivery \(id) stayed \(current["status"] ?? "?"), last error \(current["last_error"] ?? "-")")
        return current
    }

    @Test(arguments: TestDatabase.all)
    func ticketRepliesArriveThreadedInTheCustomersLanguage(_ db: TestDatabase) async throws {
        let sink = try MailSink()
        defer { sink.stop() }
        try await TestApp.run(
            db, live: true,
            configure: {
                $0.smtp = try? SMTPServer.parse("smtp://127.0.0.1:\(sink.port)?starttls=never")
                $0.mailFrom = "Help <help@tea.example>"
                $0.publicURL = "https://help.tea.example"
            }
        ) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let created = try await client.post(
                APIBody.json(["subject": "订单还没到", "body": "我的订单 123456 还没到。", "requester_email": "wang@example.cn"]),
                to: "/api/v1/tickets", token: agent)
            let id = try #require(try Self.object(created)["id"] as? String)
            for text in ["您好，我们正在查。", "已经发出，单号 SF123。"] {
                let reply = try await client.post(
                    APIBody.json(["body": text]), to: "/api/v1/tickets/\(id)/comments", token: agent)
                #expect(reply.status == .created)
            }
            let mails = try await sink.waitFor(2)
            #expect(mails.count == 2)
            let first = try #require(mails.first)
            let second = try #require(mails.last)
            #expect(first.to == ["wang@example.cn"] && first.from == "help@tea.example")
            #expect(SMTPClientTests.decoded(try #require(first.header("Subject"))) == "[tea-shop #1] 订单还没到")
            #expect(first.part("text/plain")?.contains("您好，我们正在查。") == true)
            #expect(first.part("text/plain")?.contains("https://help.tea.example/help/tea-shop/tickets/") == true)
            #expect(first.part("text/html")?.contains("查看您的工单") == true)
            let firstID = try #require(first.header("Message-ID"))
            #expect(first.header("In-Reply-To") == nil)
            #expect(second.header("In-Reply-To") == firstID)
            #expect(second.header("References") == firstID)
            #expect(firstID.hasSuffix("@tea.example>"))

            // The queue shows both delivered; the delivery id is the mail's X-Kefu-Delivery.
            let page = try Self.object(try await client.get("/api/v1/deliveries?channel=email", token: owner))
            let items = try #require(page["data"] as? [[String: Any]])
            #expect(items.count == 2)
            #expect(items.allSatisfy { $0["status"] as? String == "delivered" && $0["ticket_id"] as? String == id })
            #expect(Set(items.compactMap { $0["id"] as? String }) == Set(mails.compactMap { $0.header("X-Kefu-Delivery") }))
            #expect(try await client.get("/api/v1/deliveries", token: agent).status == .forbidden)
            #expect(try await client.get("/api/v1/deliveries?status=lost", token: owner).status == .unprocessableContent)
            #expect(try await client.get("/api/v1/deliveries?cursor=nope", token: owner).status == .unprocessableContent)
            #expect(try await client.get("/api/v1/deliveries/\(UUID())", token: owner).status == .notFound)
            // A delivered mail is not sent again by hand.
            let again = try await client.post(
                APIBody.json([:]), to: "/api/v1/deliveries/\(items[0]["id"] as? String ?? "")/retry", token: owner)
            #expect(again.status == .conflict)
            #expect(sink.mails().count == 2)
        }
    }

    @Test func aRefusedMailIsDeadWithTheServersReplyAndIsSentAgainByHand() async throws {
        let refusing = try MailSink(.reply(550))
        defer { refusing.stop() }
        try await TestApp.run(
            live: true,
            configure: {
                $0.smtp = try? SMTPServer.parse("smtp://127.0.0.1:\(refusing.port)?starttls=never")
                $0.mailFrom = "help@tea.example"
            }
        ) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            // Bad addresses change nothing.
            for bad in ["not-an-address", "a b@c.cn", "x@y.cn\r\nBcc: z@evil.cn"] {
                let refused = try await client.post(APIBody.json(["to": bad]), to: "/api/v1/email-tests", token: owner)
                #expect(refused.status == .unprocessableContent)
            }
            let queued = try await client.post(APIBody.json([:]), to: "/api/v1/email-tests", token: owner)
            #expect(queued.status == .accepted)
            let test = try Self.object(queued)
            #expect(test["target"] as? String == "owner@shop.example")
            let id = try #require(test["id"] as? String)
            let dead = try await Self.delivery(client, id, token: owner, status: "dead")
            #expect((dead["last_error"] as? String)?.contains("550") == true)
            #expect(dead["attempts"] as? Int == 1)
            let listed = try Self.object(try await client.get("/api/v1/deliveries?status=dead", token: owner))
            #expect((listed["data"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])

            // Sent again by hand: queued with fresh attempts; the server still refuses, so dead again.
            let retried = try await client.post(APIBody.json([:]), to: "/api/v1/deliveries/\(id)/retry", token: owner)
            #expect(retried.status == .ok)
            let deadAgain = try await Self.delivery(client, id, token: owner, status: "dead")
            #expect(deadAgain["attempts"] as? Int == 1)
            #expect(refusing.mails().isEmpty)

            // The settings page lists it with its reply and a button to send it again.
            let page = try await client.get("/app/settings/deliveries", token: owner)
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(html.contains(id) && html.contains("550"))
            #expect(html.contains("/app/settings/deliveries/\(id)/retry"))
        }
    }
}

/// Settings → E-mail: a workspace sends through its own server (the password sealed, never shown), others without
/// one wait; bad settings change nothing.
@Suite(.timeLimit(.minutes(30))) struct EmailSettingsTests {
    @Test func aWorkspaceSendsThroughItsOwnServerAndOthersWait() async throws {
        let plain = try MailSink()
        defer { plain.stop() }
        let secure = try MailSink(.startTLS(user: "kefu", password: "s3cret"))
        defer { secure.stop() }
        try await TestApp.run(live: true) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let other = try await app.member("x@other.example", workspace: "other-shop", role: .owner, client: client)
            func settings(_ token: String) async throws -> [String: Any] {
                try EmailDeliveryTests.object(try await client.get("/api/v1/email-settings", token: token))
            }
            func put(_ url: String, _ from: String, token: String) async throws -> TestResponse {
                try await client.post(
                    APIBody.json(["smtp_url": url, "from": from]), to: "/api/v1/email-settings", token: token, method: .put)
            }
            #expect(try await settings(owner)["smtp_url"] is NSNull)
            for (url, from) in [
                ("http://mail.example", "help@tea.example"), ("smtp://u@mail.example", "help@tea.example"),
                ("smtp://127.0.0.1:\(plain.port)?starttls=never", "not an address"),
            ] {
                #expect(try await put(url, from, token: owner).status == .unprocessableContent)
            }
            #expect(try await settings(owner)["smtp_url"] is NSNull)
            #expect(try await put("smtp://127.0.0.1:1", "a@b.cn", token: agent).status == .forbidden)

            #expect(
                try await put("smtp://127.0.0.1:\(plain.port)?starttls=never", "Tea <help@tea.example>", token: owner).status
                    == .ok)
            let sent = try EmailDeliveryTests.object(
                try await client.post(APIBody.json(["to": "me@tea.example"]), to: "/api/v1/email-tests", token: owner))
            let waiting = try EmailDeliveryTests.object(
                try await client.post(APIBody.json(["to": "me@other.example"]), to: "/api/v1/email-tests", token: other))
            _ = try await EmailDeliveryTests.delivery(
                client, try #require(sent["id"] as? String), token: owner, status: "delivered")
            #expect(try await plain.waitFor(1).first?.to == ["me@tea.example"])
            // The workspace without an e-mail server (and a server without one) waits: never attempted.
            let still = try EmailDeliveryTests.object(
                try await client.get("/api/v1/deliveries/\(try #require(waiting["id"] as? String))", token: other))
            #expect(still["status"] as? String == "queued" && still["attempts"] as? Int == 0)

            // A password is sealed and never shown; "***" keeps it.
            let url = "smtp://kefu:s3cret@localhost:\(secure.port)?ca_file=\(secure.caFile)"
            #expect(try await put(url, "help@tea.example", token: owner).status == .ok)
            let shown = try #require(try await settings(owner)["smtp_url"] as? String)
            #expect(!shown.contains("s3cret") && shown.contains("kefu:***@localhost"))
            let page = try await client.get("/app/settings/email", token: owner)
            #expect(page.status == .ok && !String(buffer: page.body).contains("s3cret"))
            // Deliveries names the server this workspace's e-mails go through: its own, never with the password.
            let deliveries = String(buffer: try await client.get("/app/settings/deliveries", token: owner).body)
            #expect(deliveries.contains("kefu:***@localhost") && !deliveries.contains("s3cret"))
            #expect(deliveries.contains("id=\"mail-server-source\">(this workspace&#39;s own)"))
            #expect(shown.contains("ca_file="))
            #expect(try await put(shown, "help@tea.example", token: owner).status == .ok)
            let second = try EmailDeliveryTests.object(
                try await client.post(APIBody.json([:]), to: "/api/v1/email-tests", token: owner))
            _ = try await EmailDeliveryTests.delivery(
                client, try #require(second["id"] as? String), token: owner, status: "delivered")
            #expect(try await secure.waitFor(1).first?.tls == true)

            let cleared = try await client.execute(
                uri: "/api/v1/email-settings", method: .delete, headers: [.authorization: "Bearer \(owner)"])
            #expect(cleared.status == .noContent)
            #expect(try await settings(owner)["smtp_url"] is NSNull)
        }
    }
}
