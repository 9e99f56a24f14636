import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuCore
import KefuStore
import KefuTestSupport
import Testing

@testable import KefuServer

/// Tickets over the API: opening them idempotently, replies and notes, changes with history, SLA clocks that pause,
/// stop and breach as the test clock moves, merges, bulk changes and list filters.
@Suite(.timeLimit(.minutes(30))) struct TicketAPITests {
    private func open(
        _ client: any TestClientProtocol, _ body: [String: Any], token: String, key: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(token)"]
        if let key { headers[.idempotencyKey] = key }
        return try await client.execute(uri: "/api/v1/tickets", method: .post, headers: headers, body: APIBody.json(body))
    }

    private func object(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try #require(try response.json() as? [String: Any], sourceLocation: sourceLocation)
    }

    private func ticket(_ client: any TestClientProtocol, _ id: String, token: String) async throws -> [String: Any] {
        let response = try await client.get("/api/v1/tickets/\(id)", token: token)
        #expect(response.status == .ok)
        return try object(response)
    }

    private func kinds(_ ticket: [String: Any]) -> [String] {
        (ticket["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
    }

    @Test(arguments: TestDatabase.all)
    func theSameKeyOpensOneTicketAndAnotherRequestWithItIsRefused(_ db: TestDatabase) async throws {
        try await TestApp.run(db) { app, client in
            let token = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let body: [String: Any] = [
                "subject": "Parcel never arrived", "body": "Order 123456 shows delivered but nothing came.",
                "requester_email": "Buyer@Example.com", "priority": "high",
            ]
            let first = try await open(client, body, token: token, key: "form-7f3a")
            #expect(first.status == .created)
            let made = try object(first)
            #expect(made["number"] as? Int == 1)
            #expect(made["status"] as? String == "new")
            #expect((made["requester"] as? [String: Any])?["email"] as? String == "buyer@example.com")
            let again = try await open(client, body, token: token, key: "form-7f3a")
            #expect(again.status == .created)
            #expect(again.headers[.idempotentReplayed] == "true")
            #expect(try object(again)["id"] as? String == made["id"] as? String)
            var changed = body
            changed["subject"] = "Something else"
            let clash = try await open(client, changed, token: token, key: "form-7f3a")
            #expect(clash.status == .conflict && clash.errorCode == "conflict")
            // Without a key every request is a new ticket; the second gets the next number.
            #expect(try object(try await open(client, body, token: token))["number"] as? Int == 2)
            let total = try object(try await client.get("/api/v1/tickets", token: token))["total"] as? Int
            #expect(total == 2)

            // Many at once with one key: still one ticket.
            let payload = APIBody.json(body)
            let headers: HTTPFields = [
                .contentType: "application/json", .authorization: "Bearer \(token)", .idempotencyKey: "burst-1",
            ]
            try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        let response = try await client.execute(
                            uri: "/api/v1/tickets", method: .post, headers: headers, body: payload)
                        return try (response.json() as? [String: Any])?["id"] as? String
                    }
                }
                var ids: Set<String> = []
                for try await id in group { if let id { ids.insert(id) } }
                #expect(ids.count == 1)
            }
            #expect(try object(try await client.get("/api/v1/tickets", token: token))["total"] as? Int == 3)
        }
    }

    @Test func badTicketsAreRefusedAndChangeNothing() async throws {
        try await TestApp.run { app, client in
            let token = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let good: [String: Any] = ["subject": "Refund", "body": "Please refund order 123456.", "requester_email": "a@b.cn"]
            for (field, value) in [
                ("priority", "whenever" as Any), ("requester_email", "not-an-address" as Any), ("subject", "   " as Any),
                ("body", "" as Any), ("tags", ["no spaces allowed"] as Any),
                ("custom_fields", ["bad key!": "x"] as Any),
            ] {
                var body = good
                body[field] = value
                let response = try await open(client, body, token: token)
                #expect(response.status == .unprocessableContent, "\(field): \(String(buffer: response.body))")
            }
            var anonymous = good
            anonymous["requester_email"] = nil
            #expect(try await open(client, anonymous, token: token).status == .unprocessableContent)
            #expect(try await open(client, good, token: token, key: "has space").status != .created)
            #expect(try object(try await client.get("/api/v1/tickets", token: token))["total"] as? Int == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func repliesNotesChangesMergesAndBulkEditsKeepTheHistory(_ db: TestDatabase) async throws {
        try await TestApp.run(db) { app, client in
            let token = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let base: [String: Any] = ["subject": "Wrong size", "body": "I got an M, ordered an L.", "requester_email": "c@d.cn"]
            let first = try object(try await open(client, base, token: token))
            let id = try #require(first["id"] as? String)
            let duplicate = try #require(try object(try await open(client, base, token: token))["id"] as? String)

            // A note is for agents only: no first response, nothing in the outbox.
            let note = try await client.post(
                APIBody.json(["body": "Check stock first", "public": false]), to: "/api/v1/tickets/\(id)/comments",
                token: token)
            #expect(note.status == .created)
            #expect(try await ticket(client, id, token: token)["first_response_at"] is NSNull)
            // A public reply is the first response, opens the new ticket and waits in the outbox for the requester.
            let reply = try await client.post(
                APIBody.json(["body": "We are sending an L today."]), to: "/api/v1/tickets/\(id)/comments", token: token)
            #expect(reply.status == .created)
            var current = try await ticket(client, id, token: token)
            #expect(current["first_response_at"] is String)
            #expect(current["status"] as? String == "open")
            let outbox = try object(try await client.get("/api/v1/outbox", token: owner))["entries"] as? [[String: Any]]
            #expect(outbox?.count == 1)
            #expect(outbox?.first?["ticket_id"] as? String == id)
            #expect(outbox?.first?["recipient"] as? String == "c@d.cn")

            let patch = try await client.post(
                APIBody.json(["status": "pending", "priority": "urgent", "add_tags": ["Exchange"], "type": "incident"]),
                to: "/api/v1/tickets/\(id)", token: token, method: .patch)
            #expect(patch.status == .ok, "\(String(buffer: patch.body))")
            current = try object(patch)
            #expect(current["tags"] as? [String] == ["exchange"])
            #expect(Set(kinds(current)).isSuperset(of: ["created", "note", "reply", "status", "priority", "tags", "type"]))

            // Filters: by status, tag and text; the other ticket is still new.
            let pending = try object(try await client.get("/api/v1/tickets?status=pending,on_hold&tag=exchange", token: token))
            #expect(pending["total"] as? Int == 1)
            #expect(try object(try await client.get("/api/v1/tickets?status=new", token: token))["total"] as? Int == 1)
            #expect(try object(try await client.get("/api/v1/tickets?q=size", token: token))["total"] as? Int == 2)
            #expect(try await client.get("/api/v1/tickets?status=later", token: token).status != .ok)

            // Merge the duplicate into the first: it closes and points there; the first's history notes it.
            #expect(
                try await client.post(APIBody.json(["into": id]), to: "/api/v1/tickets/\(id)/merge", token: token).status
                    == .conflict)
            let merged = try await client.post(
                APIBody.json(["into": id]), to: "/api/v1/tickets/\(duplicate)/merge", token: token)
            #expect(merged.status == .ok)
            #expect(kinds(try object(merged)).contains("merged_from"))
            let closed = try await ticket(client, duplicate, token: token)
            #expect(closed["status"] as? String == "closed" && closed["merged_into_id"] as? String == id)
            let reopen = try await client.post(
                APIBody.json(["status": "open"]), to: "/api/v1/tickets/\(duplicate)", token: token, method: .patch)
            #expect(reopen.status == .conflict)

            // Bulk: all or none.
            let third = try #require(try object(try await open(client, base, token: token))["id"] as? String)
            let bulk = try await client.post(
                APIBody.json(["ids": [id, third], "change": ["priority": "low"]]), to: "/api/v1/ticket-updates", token: token)
            #expect(bulk.status == .ok)
            #expect(try object(try await client.get("/api/v1/tickets?priority=low", token: token))["total"] as? Int == 2)
            let mixed = try await client.post(
                APIBody.json(["ids": [third, duplicate], "change": ["priority": "high"]]), to: "/api/v1/ticket-updates",
                token: token)
            #expect(mixed.status == .conflict)
            #expect(try await ticket(client, third, token: token)["priority"] as? String == "low")
        }
    }

    @Test(arguments: TestDatabase.all)
    func slaClocksPauseWarnAndBreachAsTheClockMoves(_ db: TestDatabase) async throws {
        try await TestApp.run(db, live: true, configure: { $0.testClock = true }) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let data = app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop"))
            // Targets of zero or below are refused; calendar hours: 60 min first response, 8 h resolution, warned 15
            // min before.
            for bad in [0, -5] {
                let refused = try await client.post(
                    APIBody.json(["name": "Bad", "targets": [["priority": "normal", "first_response_minutes": bad]]]),
                    to: "/api/v1/sla-policies", token: owner)
                #expect(refused.status == .unprocessableContent)
            }
            let policy = try await client.post(
                APIBody.json([
                    "name": "Standard", "business_hours": false, "warn_before_minutes": 15,
                    "targets": [["priority": "normal", "first_response_minutes": 60, "resolution_minutes": 480]],
                ]), to: "/api/v1/sla-policies", token: owner)
            #expect(policy.status == .created, "\(String(buffer: policy.body))")
            #expect(try await data.slaPolicies.all().count == 1)
            let start = Date(timeIntervalSince1970: 1_795_000_000)
            func move(_ minutes: Double) async throws {
                let response = try await client.post(
                    APIBody.json(["now": RFC3339.string(start.addingTimeInterval(minutes * 60))]), to: "/api/v1/test-clock",
                    token: owner, method: .put)
                #expect(response.status == .ok)
            }
            try await move(0)
            var console = try await TestSocket.agent(client, token: owner)
            let id = try #require(
                try object(
                    try await open(
                        client, ["subject": "Late", "body": "Where is it?", "requester_email": "late@x.cn"], token: owner))["id"]
                    as? String)
            let created = try await ticket(client, id, token: owner)
            let clocks = try #require(created["sla"] as? [[String: Any]])
            #expect(clocks.map { $0["metric"] as? String } == ["first_response", "resolution"])
            let firstDue = try #require((clocks.first?["due_at"] as? String).flatMap { RFC3339.parse($0) })
            #expect(abs(firstDue.timeIntervalSince(start.addingTimeInterval(3600))) < 5)

            try await move(50)  // past the warning point of the first response
            let warning = try await console.next("ticket_alert")
            #expect(warning["alert"] as? String == "warning" && warning["metric"] as? String == "first_response")
            try await move(61)
            let breach = try await console.next("ticket_alert")
            #expect(breach["alert"] as? String == "breach")
            var current = try await ticket(client, id, token: owner)
            #expect(kinds(current).filter { $0.hasPrefix("sla_") } == ["sla_warning", "sla_breach"])
            let atRisk = try object(try await client.get("/api/v1/tickets?sla=breached", token: owner))
            #expect(atRisk["total"] as? Int == 1)

            // Pending from minute 61 to minute 600 pauses resolution: 61 min counted, due 419 min after resuming.
            _ = try await client.post(
                APIBody.json(["status": "pending"]), to: "/api/v1/tickets/\(id)", token: owner, method: .patch)
            try await move(600)
            _ = try await client.post(
                APIBody.json(["status": "open"]), to: "/api/v1/tickets/\(id)", token: owner, method: .patch)
            current = try await ticket(client, id, token: owner)
            let resolution = try #require((current["sla"] as? [[String: Any]])?.last)
            // The test clock runs on from where it was set: allow the seconds the requests took.
            let due = try #require((resolution["due_at"] as? String).flatMap { RFC3339.parse($0) })
            #expect(abs(due.timeIntervalSince(start.addingTimeInterval((600 + 419) * 60))) < 5)
            #expect(try await data.tickets.breachCount(since: start) == 1)
            console.close()
        }
    }

    @Test func savedViewsCountTheirTicketsAndSharedOnesAreKeptBySupervisors() async throws {
        try await TestApp.run { app, client in
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let lead = try await app.member("lead@shop.example", workspace: "tea-shop", role: .supervisor, client: client)
            for subject in ["One", "Two", "Three"] {
                _ = try await open(client, ["subject": subject, "body": "b", "requester_email": "r@x.cn"], token: agent)
            }
            let listed = try object(try await client.get("/api/v1/ticket-views", token: agent))
            let views = try #require(listed["data"] as? [[String: Any]])
            #expect(views.count == 4)
            let unassigned = try #require(views.first { ($0["name"] as? String)?.hasPrefix("Unassigned") == true })
            #expect(unassigned["count"] as? Int == 3 && unassigned["shared"] as? Bool == true)
            let id = try #require(unassigned["id"] as? String)
            #expect(try object(try await client.get("/api/v1/tickets?view=\(id)", token: agent))["total"] as? Int == 3)
            #expect(
                try await client.post(
                    APIBody.json(["name": "x"]), to: "/api/v1/ticket-views/\(id)", token: agent, method: .patch
                ).status == .forbidden)
            let shared = try await client.post(
                APIBody.json(["name": "Team view", "shared": true, "filter": ["status": ["new"]]]), to: "/api/v1/ticket-views",
                token: agent)
            #expect(shared.status == .forbidden)
            let own = try await client.post(
                APIBody.json(["name": "Mine", "filter": ["assignee": "me", "status": ["open"]]]), to: "/api/v1/ticket-views",
                token: agent)
            #expect(own.status == .created)
            let ownID = try #require(try object(own)["id"] as? String)
            // Another member does not see someone's own view.
            #expect(try await client.get("/api/v1/tickets?view=\(ownID)", token: lead).status == .notFound)
            #expect(
                try await client.post(
                    APIBody.json(["name": "Renamed"]), to: "/api/v1/ticket-views/\(id)", token: lead, method: .patch
                ).status == .ok)
        }
    }
}
