import Foundation
import HTTPTypes
import HummingbirdTesting
import KefuCore
import Testing

@testable import KefuServer

/// Declared ticket fields: supervisors and up declare them; values for declared keys must fit their kind on every way
/// in (API, page), undeclared keys stay free text; the ticket page shows each declared field as its own input.
@Suite(.timeLimit(.minutes(30))) struct TicketFieldTests {
    typealias Browser = PagesTests.Browser

    @Test func declaredFieldsCheckTheirValuesOnEveryWayIn() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            func declare(_ body: [String: Any], token: String) async throws -> TestResponse {
                try await client.post(APIBody.json(body), to: "/api/v1/ticket-fields", token: token)
            }
            #expect(try await declare(["key": "reason", "name": "Reason", "kind": "text"], token: agent).status == .forbidden)
            let reason = try await declare(
                ["key": "reason", "name": "Refund reason", "kind": "select", "options": ["refund", "exchange"]], token: owner)
            #expect(reason.status == .created)
            #expect(try await declare(["key": "amount", "name": "Amount", "kind": "number"], token: owner).status == .created)
            #expect(try await declare(["key": "reason", "name": "Again", "kind": "text"], token: owner).status == .conflict)
            #expect(
                try await declare(["key": "choice", "name": "No options", "kind": "select"], token: owner).status
                    == .unprocessableContent)
            #expect(
                try await declare(["key": "Bad Key", "name": "x", "kind": "text"], token: owner).status == .unprocessableContent)
            let listed = try #require(try await client.get("/api/v1/ticket-fields", token: agent).json() as? [String: Any])
            #expect((listed["data"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["reason", "amount"])

            func open(_ fields: [String: String]) async throws -> TestResponse {
                try await client.post(
                    APIBody.json([
                        "subject": "Refund", "body": "Please", "requester_email": "ann@example.com", "custom_fields": fields,
                    ]), to: "/api/v1/tickets", token: agent)
            }
            let wrongChoice = try await open(["reason": "other"])
            #expect(wrongChoice.status == .unprocessableContent)
            #expect(String(buffer: wrongChoice.body).contains("custom_fields.reason"))
            #expect(try await open(["amount": "twelve"]).status == .unprocessableContent)
            let made = try await open(["reason": "refund", "amount": "12.5", "note": "free text <b>kept</b>"])
            #expect(made.status == .created)
            let id = try #require((try made.json() as? [String: Any])?["id"] as? String)
            let patched = try await client.post(
                APIBody.json(["custom_fields": ["amount": "NaN"]]), to: "/api/v1/tickets/\(id)", token: agent, method: .patch)
            #expect(patched.status == .unprocessableContent)

            // The page: each declared field is an input of its own; the free-text box holds the rest.
            var browser = Browser()
            let login = String(buffer: try await browser.get("/login", client).body)
            _ = try await browser.post(
                "/login",
                ["_csrf": try #require(Browser.csrf(in: login)), "email": "agent@shop.example", "password": TestApp.password],
                client)
            let page = String(buffer: try await browser.get("/app/tickets/\(id)", client).body)
            let csrf = try #require(Browser.csrf(in: page))
            #expect(page.contains("<label for=\"field-reason\">Refund reason</label>"))
            #expect(page.contains("<option value=\"refund\" selected>refund</option>"))
            #expect(page.contains("name=\"field_amount\" type=\"number\" step=\"any\" value=\"12.5\""))
            #expect(page.contains("note: free text &lt;b&gt;kept&lt;/b&gt;") && !page.contains("reason: refund"))
            let bad = try await browser.post(
                "/app/tickets/\(id)", ["_csrf": csrf, "field_reason": "nope", "field_amount": "1", "custom_fields": ""], client)
            #expect(String(buffer: bad.body).contains("id=\"form-error\""))
            let saved = try await browser.post(
                "/app/tickets/\(id)", ["_csrf": csrf, "field_reason": "exchange", "field_amount": "", "custom_fields": ""],
                client)
            #expect(saved.status == .seeOther)
            let ticket = try #require(try await client.get("/api/v1/tickets/\(id)", token: agent).json() as? [String: Any])
            #expect(ticket["custom_fields"] as? [String: String] == ["reason": "exchange"], "emptied and removed lines clear")

            // Removing a declaration leaves the values as free text.
            let fieldID = try #require((try reason.json() as? [String: Any])?["id"] as? String)
            let removed = try await client.execute(
                uri: "/api/v1/ticket-fields/\(fieldID)", method: .delete, headers: [.authorization: "Bearer \(owner)"])
            #expect(removed.status == .noContent)
            #expect(try await open(["reason": "anything"]).status == .created)
            let settings = String(buffer: try await browser.get("/app/settings/ticket-fields", client).body)
            #expect(settings.contains("<code>amount</code>") && !settings.contains("<code>reason</code>"))
            #expect(!settings.contains("id=\"field-form\""), "agents see the fields, not the form")
        }
    }
}
