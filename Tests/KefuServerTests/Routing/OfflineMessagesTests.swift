import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuCore
import KefuStore
import KefuTestSupport
import Testing

@testable import KefuServer

/// Business hours and messages left while nobody answers: the customer is told at once, leaves a way back, the
/// conversation waits for the next agent, and replies also wait in the outbox for e-mail.
@Suite(.timeLimit(.minutes(30))) struct OfflineMessagesTests {
    static var weekdays: [[String: Any]] {
        ["mon", "tue", "wed", "thu", "fri"].map {
            ["day": $0, "open": "09:00", "close": "18:00"]
        }
    }

    private func setHours(
        _ client: any TestClientProtocol, _ body: [String: Any], token: String, expect status: HTTPResponse.Status = .ok,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let response = try await client.post(APIBody.json(body), to: "/api/v1/business-hours", token: token, method: .put)
        #expect(response.status == status, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
    }

    private func setClock(_ client: any TestClientProtocol, _ now: String, token: String) async throws -> TestResponse {
        try await client.post(APIBody.json(["now": now]), to: "/api/v1/test-clock", token: token, method: .put)
    }

    private func conversation(_ client: any TestClientProtocol, _ id: String, token: String) async throws -> [String: Any] {
        let body = try #require(try await client.get("/api/v1/conversations/\(id)", token: token).json() as? [String: Any])
        return try #require(body["conversation"] as? [String: Any])
    }

    private func outbox(_ client: any TestClientProtocol, token: String) async throws -> [[String: Any]] {
        let body = try #require(try await client.get("/api/v1/outbox", token: token).json() as? [String: Any])
        return try #require(body["entries"] as? [[String: Any]])
    }

    @Test(arguments: TestDatabase.all)
    func afterHoursTheCustomerLeavesAMessageAndTheNextMorningsAgentGetsIt(_ db: TestDatabase) async throws {
        try await TestApp.run(db, live: true, configure: { $0.testClock = true }) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let agentToken = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let agent = try #require(try await app.dependencies.store.unscoped.users.credentials(email: "agent@shop.example")?.0)
                .id
            var console = try await TestSocket.agent(client, token: agentToken)
            let key = try await TestSocket.widgetKey(app, "tea-shop")

            // Bad hours are refused whole and change nothing.
            let good: [String: Any] = [
                "enabled": true, "time_zone": "Asia/Shanghai", "weekly": Self.weekdays,
                "holidays": [["date": "2026-12-25", "name": "Christmas"]],
            ]
            for (field, value) in [
                ("time_zone", "Mars/Olympus_Mons" as Any),
                ("weekly", [["day": "mon", "open": "18:00", "close": "09:00"]] as Any),
                (
                    "weekly",
                    [["day": "mon", "open": "09:00", "close": "12:00"], ["day": "mon", "open": "11:00", "close": "13:00"]]
                ),
                ("weekly", [] as [Any]),
                ("holidays", [["date": "2026-02-30", "name": "no such day"]] as Any),
            ] {
                var bad = good
                bad[field] = value
                try await setHours(client, bad, token: owner, expect: .unprocessableContent)
            }
            let unchanged = try #require(try await client.get("/api/v1/business-hours", token: owner).json() as? [String: Any])
            #expect(unchanged["enabled"] as? Bool == false)
            try await setHours(client, good, token: agentToken, expect: .forbidden)
            try await setHours(client, good, token: owner)

            // Saturday 11:00 in Shanghai: closed, opening Monday 09:00 (01:00Z), though an agent is online.
            #expect(try await setClock(client, "2026-11-28T03:00:00Z", token: owner).status == .ok)
            let widget = try #require(try await client.get("/api/v1/widget/\(key)").json() as? [String: Any])
            #expect(widget["available"] as? Bool == false)
            #expect(widget["reason"] as? String == "closed")
            #expect(widget["opens_at"] as? String == "2026-11-30T01:00:00Z")

            var (customer, _) = try await TestSocket.visitor(client, key: key)
            customer.send(["type": "send", "id": "c-1", "text": "周末能退货吗？"])
            let frames = try await customer.frames(until: "ack")
            let id = try #require(frames.last?["conversation"] as? String)
            let place = try #require(frames.first { $0["type"] as? String == "queue" })
            #expect(place["waiting"] as? Bool == true && place["available"] as? Bool == false)
            #expect(place["reason"] as? String == "closed" && place["opens_at"] as? String == "2026-11-30T01:00:00Z")
            #expect(try await conversation(client, id, token: owner)["assignee_id"] == nil, "closed: nobody is given it")

            // Bad details: told which field, nothing stored.
            for (details, field) in [
                (["email": "not-an-address"], "email"), ([:], "email"), (["phone": "12"], "phone"),
                (["email": "wang@example.com", "name": String(repeating: "名", count: 101)], "name"),
            ] as [([String: String], String)] {
                var frame: [String: Any] = ["type": "leave_message", "id": "lm-bad", "conversation": id]
                for (key, value) in details { frame[key] = value }
                customer.send(frame)
                let error = try await customer.next("error")
                #expect(error["code"] as? String == "validation_failed", "\(details)")
                #expect((error["detail"] as? String)?.contains(field) == true, "\(error)")
            }
            #expect(try await conversation(client, id, token: owner)["left_message_at"] == nil)

            let leave: [String: Any] = [
                "type": "leave_message", "id": "lm-1", "conversation": id, "name": "王芳", "email": "Wang.Fang@Example.com",
                "phone": "+86 138 0000 0000",
            ]
            customer.send(leave)
            let ack = try await customer.next("ack")
            #expect(ack["id"] as? String == "lm-1" && ack["duplicate"] as? Bool == false)
            customer.send(leave)
            #expect(try await customer.next("ack")["duplicate"] as? Bool == true, "a resend stores nothing twice")
            let left = try await conversation(client, id, token: owner)
            #expect(left["left_message_at"] != nil)
            #expect(left["reply_to"] as? String == "wang.fang@example.com")
            #expect(left["assignee_id"] == nil && left["queued_at"] != nil)
            let lines = try #require(
                try await client.get("/api/v1/conversations/\(id)/messages", token: owner).json() as? [String: Any])
            let events = ((lines["messages"] as? [[String: Any]]) ?? []).compactMap { $0["event"] as? [String: String] }
            #expect(events.filter { $0["event"] == "left_message" }.count == 1)
            #expect(events.first { $0["event"] == "left_message" }?["phone"] == "+86 138 0000 0000")
            let contactID = try #require(left["contact_id"] as? String)
            let contact = try #require(
                try await client.get("/api/v1/contacts/\(contactID)", token: owner).json() as? [String: Any])
            #expect((contact["contact"] as? [String: Any])?["email"] as? String == "wang.fang@example.com")

            // Monday 09:30: the router gives it to the online agent at once and the customer hears so.
            #expect(try await setClock(client, "2026-11-30T01:30:00Z", token: owner).status == .ok)
            while true {
                let frame = try await customer.next("queue")
                if frame["waiting"] as? Bool == false { break }
            }
            #expect(try await conversation(client, id, token: owner)["assignee_id"] as? String == agent.description)

            // A public reply waits in the outbox for the customer's e-mail; a private note does not.
            console.send(["type": "send", "id": "a-1", "conversation": id, "text": "可以的，周一为您办理。"])
            _ = try await console.next("ack")
            console.send(["type": "send", "id": "a-2", "conversation": id, "text": "note", "private": true])
            _ = try await console.next("ack")
            let entries = try await outbox(client, token: owner)
            #expect(entries.count == 1)
            #expect(entries.first?["recipient"] as? String == "wang.fang@example.com")
            #expect(entries.first?["body"] as? String == "可以的，周一为您办理。")
            #expect(entries.first?["status"] as? String == "pending")
            #expect(try await client.get("/api/v1/outbox", token: agentToken).status == .forbidden)
            while true {
                let frame = try await customer.next("message")
                if (frame["message"] as? [String: Any])?["sender"] as? String == "agent" { break }
            }

            // Within hours but nobody online (the agent away): unavailable for that reason.
            let away = APIBody.json(["status": "away"])
            #expect(try await client.post(away, to: "/api/v1/me/presence", token: agentToken, method: .put).status == .ok)
            let now = try #require(try await client.get("/api/v1/widget/\(key)").json() as? [String: Any])
            #expect(now["available"] as? Bool == false && now["reason"] as? String == "nobody_online")
            customer.close()
            console.close()
        }
    }

    @Test func aNewConversationNeedsItsMessageAndTheClockMovesOnlyInTests() async throws {
        try await TestApp.run(live: true) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let key = try await TestSocket.widgetKey(app, "tea-shop")
            let moved = try await setClock(client, "2030-01-01T00:00:00Z", token: owner)
            #expect(moved.status == .notFound)
            let error = try #require(try moved.json() as? [String: Any])["error"] as? [String: Any]
            #expect(error?["code"] as? String == "not_found")
            var (customer, _) = try await TestSocket.visitor(client, key: key)
            customer.send(["type": "leave_message", "id": "lm-1", "email": "a@example.com"])
            #expect(try await customer.next("error")["code"] as? String == "validation_failed")
            customer.send(["type": "leave_message", "id": "lm-2", "email": "a@example.com", "text": "请回电"])
            let ack = try await customer.next("ack")
            let id = try #require(ack["conversation"] as? String)
            let body = try #require(try await client.get("/api/v1/conversations/\(id)", token: owner).json() as? [String: Any])
            #expect((body["conversation"] as? [String: Any])?["left_message_at"] != nil)
            customer.close()
        }
    }
}
