import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuCore
import KefuStore
import KefuTestSupport
import Testing

@testable import KefuServer

/// The help center's ticket form and status page: one ticket per submitted form (its key), the signed link as the
/// only way back (forged or expired: not found), markup shown as text, replies both ways, deflections counted.
@Suite(.timeLimit(.minutes(30))) struct PortalTicketTests {
    typealias Browser = PagesTests.Browser

    @Test func aVisitorFilesARequestFollowsItAndRepliesThroughTheSignedLink() async throws {
        try await TestApp.run { app, client in
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            var browser = Browser()
            let form = try await browser.get("/help/tea-shop/tickets/new", client)
            #expect(form.status == .ok)
            let html = String(buffer: form.body)
            let csrf = try #require(Browser.csrf(in: html))
            let key = try #require(
                html.range(of: "name=\"key\" value=\"").map { String(html[$0.upperBound...].prefix { $0 != "\"" }) })
            let fields = [
                "_csrf": csrf, "key": key, "subject": "<script>alert(1)</script> 包裹丢了",
                "body": "Order 123456 <img src=x onerror=alert(2)>", "email": "visitor@example.com", "name": "Visitor",
            ]
            #expect(
                try await browser.post("/help/tea-shop/tickets/new", fields.filter { $0.key != "_csrf" }, client).status
                    == .forbidden)
            let sent = try await browser.post("/help/tea-shop/tickets/new", fields, client)
            #expect(sent.status == .seeOther || sent.status == .found)
            let location = try #require(sent.headers[.location])
            #expect(location.hasPrefix("/help/tea-shop/tickets/") && location.contains("created=1"))
            // The same form sent again (a double click, a retry): still one ticket.
            let again = try await browser.post("/help/tea-shop/tickets/new", fields, client)
            // Links carry their own expiry; the ticket they open is the same.
            func ticketPart(_ link: String?) -> Substring? { link?.split(separator: "/").last?.split(separator: ".").first }
            #expect(ticketPart(again.headers[.location]) == ticketPart(location))
            let list = try #require(try await client.get("/api/v1/tickets", token: agent).json() as? [String: Any])
            #expect(list["total"] as? Int == 1)
            let ticket = try #require((list["data"] as? [[String: Any]])?.first)
            #expect(ticket["source"] as? String == "portal")
            let id = try #require(ticket["id"] as? String)

            let page = try await browser.get(location, client)
            let statusHTML = String(buffer: page.body)
            #expect(page.status == .ok && page.headers[.cacheControl] == "no-store")
            #expect(statusHTML.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !statusHTML.contains("<script>alert(1)"))
            #expect(!statusHTML.contains("<img src=x"))

            // The agent replies and notes; the requester sees the reply, never the note.
            _ = try await client.post(
                APIBody.json(["body": "A replacement ships today.", "public": true]), to: "/api/v1/tickets/\(id)/comments",
                token: agent)
            _ = try await client.post(
                APIBody.json(["body": "VIP, check the courier", "public": false]), to: "/api/v1/tickets/\(id)/comments",
                token: agent)
            _ = try await client.post(
                APIBody.json(["status": "solved"]), to: "/api/v1/tickets/\(id)", token: agent, method: .patch)
            let followed = String(buffer: try await browser.get(location, client).body)
            #expect(followed.contains("A replacement ships today.") && !followed.contains("VIP, check the courier"))
            // Replying reopens the solved ticket.
            let path = String(location.split(separator: "?")[0])
            let replyCSRF = try #require(Browser.csrf(in: followed))
            let replied = try await browser.post(
                path, ["_csrf": replyCSRF, "body": "Thanks, but it is the wrong colour"], client)
            #expect(replied.status == .seeOther || replied.status == .found)
            let reopened = try #require(try await client.get("/api/v1/tickets/\(id)", token: agent).json() as? [String: Any])
            #expect(reopened["status"] as? String == "open")

            // Forged, altered or foreign links are not found; the number alone opens nothing.
            let token = String(path.split(separator: "/").last ?? "")
            var altered = Array(token)
            altered[altered.count - 1] = altered.last == "a" ? "b" : "a"
            for bad in [
                "/help/tea-shop/tickets/" + String(altered), "/help/tea-shop/tickets/1", "/api/v1/portal/tea-shop/tickets/1",
            ] {
                #expect(try await client.get(bad).status == .notFound, "\(bad)")
            }
            let links = TicketLinks(secret: app.dependencies.secret)
            let workspace = try await app.workspaceID("tea-shop")
            let expired = TicketLinks(secret: app.dependencies.secret, lifetime: -1).token(
                TicketID(try #require(UUID(uuidString: id))), workspace: workspace, now: Date())
            #expect(links.ticket(expired, workspace: workspace, now: Date()) == nil)
            #expect(try await client.get("/api/v1/portal/tea-shop/tickets/\(expired)").status == .notFound)
            #expect(links.ticket(token, workspace: WorkspaceID(), now: Date()) == nil, "a link is bound to its workspace")
        }
    }

    @Test func theAPIOpensIdempotentlyAndCountsDeflections() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let body = APIBody.json(["subject": "Invoice", "body": "I need a VAT invoice.", "email": "a@b.cn"])
            let headers: HTTPFields = [.contentType: "application/json", .idempotencyKey: "portal-1"]
            let first = try await client.execute(
                uri: "/api/v1/portal/tea-shop/tickets", method: .post, headers: headers, body: body)
            let second = try await client.execute(
                uri: "/api/v1/portal/tea-shop/tickets", method: .post, headers: headers, body: body)
            #expect(first.status == .created && second.status == .created)
            let a = try #require(try first.json() as? [String: Any])
            let b = try #require(try second.json() as? [String: Any])
            #expect(a["number"] as? Int == 1 && b["number"] as? Int == 1)
            #expect(second.headers[.idempotentReplayed] == "true")
            let statusURL = try #require(a["status_url"] as? String)
            let token = try #require(statusURL.split(separator: "/").last.map(String.init))
            let status = try #require(try await client.get("/api/v1/portal/tea-shop/tickets/\(token)").json() as? [String: Any])
            #expect(status["subject"] as? String == "Invoice")
            #expect(try await client.get("/api/v1/portal/no-such-shop/tickets/\(token)").status == .notFound)

            let article = try await client.post(
                APIBody.json(["title": "VAT invoices", "body": "Ask in your order page.", "locale": "en", "status": "published"]),
                to: "/api/v1/kb/articles", token: owner)
            let articleID = try #require((try article.json() as? [String: Any])?["id"] as? String)
            let deflected = try await client.post(
                APIBody.json(["article_id": articleID]), to: "/api/v1/portal/tea-shop/deflections")
            #expect(deflected.status == .noContent)
            let data = app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop"))
            #expect(try await data.tickets.deflectionCount(since: Date(timeIntervalSince1970: 0)) == 1)
        }
    }

    /// The help center's limit counts loopback clients too (behind a same-host proxy every visitor is 127.0.0.1),
    /// unless the operator exempts loopback.
    @Test(arguments: [false, true])
    func theHelpCenterLimitCountsLoopbackUnlessExempted(_ exempt: Bool) async throws {
        try await TestApp.run(live: true, configure: { $0.exemptLoopback = exempt }) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let article = try await client.post(
                APIBody.json(["title": "VAT invoices", "body": "Ask in your order page.", "locale": "en", "status": "published"]),
                to: "/api/v1/kb/articles", token: owner)
            let articleID = try #require((try article.json() as? [String: Any])?["id"] as? String)
            var statuses: [Int] = []
            for _ in 0..<15 {
                let response = try await client.post(
                    APIBody.json(["article_id": articleID]), to: "/api/v1/portal/tea-shop/deflections")
                statuses.append(Int(response.status.code))
            }
            if exempt {
                #expect(statuses.allSatisfy { $0 == 204 }, "\(statuses)")
            } else {
                #expect(statuses.contains(429) && statuses.prefix(10).allSatisfy { $0 == 204 }, "\(statuses)")
            }
        }
    }

    /// An anonymous visitor's Idempotency-Key never meets a member's: the same key is a new ticket on each side.
    @Test func visitorsAndMembersKeepTheirIdempotencyKeysApart() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let headers: HTTPFields = [.contentType: "application/json", .idempotencyKey: "shared-key-1"]
            var signedIn = headers
            signedIn[.authorization] = "Bearer \(owner)"
            let byMember = try await client.execute(
                uri: "/api/v1/tickets", method: .post, headers: signedIn,
                body: APIBody.json(["subject": "Refund", "body": "Member's ticket", "requester_email": "m@b.cn"]))
            #expect(byMember.status == .created && byMember.headers[.idempotentReplayed] == nil)
            let byVisitor = try await client.execute(
                uri: "/api/v1/portal/tea-shop/tickets", method: .post, headers: headers,
                body: APIBody.json(["subject": "Invoice", "body": "Visitor's ticket", "email": "v@b.cn"]))
            #expect(byVisitor.status == .created && byVisitor.headers[.idempotentReplayed] == nil, "not a 409, not a replay")
            #expect((try byVisitor.json() as? [String: Any])?["number"] as? Int == 2)
        }
    }
}
