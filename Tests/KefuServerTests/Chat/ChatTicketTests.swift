import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuBot
import KefuCore
import KefuDemoShop
import KefuStore
import KefuTestSupport
import Testing

@testable import KefuServer

/// Tickets from chats (an agent's "make ticket", a flow's ticket step) with the line that lets the customer follow
/// them, and the SLA webhook posting warnings and breaches, signed, to a real HTTP server (the demo shop's backend,
/// which refuses unsigned requests).
@Suite(.timeLimit(.minutes(30))) struct ChatTicketTests {
    static func chat(_ data: WorkspaceData, saying text: String, status: ConversationStatus) async throws -> Conversation {
        let contact = try await data.contacts.create(name: "Li Lei", at: Date())
        let conversation = try await data.conversations.start(
            contact: contact.id, status: status, locale: .zhCN, team: nil, at: Date())
        _ = try await data.conversations.append(
            conversation.id, NewMessage(clientID: "c-1", sender: .customer, kind: .text, body: text, isPrivate: false),
            at: Date())
        return try await data.conversations.conversation(conversation.id)
    }

    /// Six "make ticket" presses at the same moment (two agents, a double click) make one ticket and one line.
    @Test(arguments: TestDatabase.all)
    func makingATicketAtOnceFromSeveralPlacesMakesOne(_ db: TestDatabase) async throws {
        try await TestApp.run(db) { app, client in
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let data = app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop"))
            let conversation = try await Self.chat(data, saying: "退货", status: .open)
            let path = "/api/v1/conversations/\(conversation.id)/ticket"
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask { Int(try await client.post(APIBody.json([:]), to: path, token: agent).status.code) }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1 && statuses.filter { $0 == 200 }.count == 5, "\(statuses)")
            #expect(try await data.tickets.count(TicketFilter(), me: nil) == 1)
            let lines = try await data.conversations.messages(conversation.id, after: 0, limit: 50, includePrivate: true)
            #expect(lines.filter { $0.kind == .event && $0.body.contains("\"ticket\"") }.count == 1)
        }
    }

    @Test func anAgentMakesATicketFromAChatOnceAndTheCustomerGetsItsLink() async throws {
        try await TestApp.run { app, client in
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let data = app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop"))
            let conversation = try await Self.chat(data, saying: "<b>快递</b>三天没动了", status: .open)
            let path = "/api/v1/conversations/\(conversation.id)/ticket"

            let made = try await client.post(APIBody.json([:]), to: path, token: agent)
            #expect(made.status == .created)
            let ticket = try #require(try made.json() as? [String: Any])
            #expect(ticket["subject"] as? String == "<b>快递</b>三天没动了")
            #expect(ticket["source"] as? String == "chat" && ticket["conversation_id"] as? String == conversation.id.description)
            #expect((ticket["requester"] as? [String: Any])?["id"] as? String == conversation.contactID.description)
            let history = try #require(ticket["events"] as? [[String: Any]])
            #expect((history.first?["body"] as? String)?.contains("customer: <b>快递</b>三天没动了") == true)

            let again = try await client.post(APIBody.json(["subject": "Another"]), to: path, token: agent)
            #expect(again.status == .ok)
            #expect((try again.json() as? [String: Any])?["id"] as? String == ticket["id"] as? String)

            // The chat's line for the customer: the number and a status link that opens the ticket's page.
            let messages = try await data.conversations.messages(conversation.id, after: 0, limit: 20, includePrivate: false)
            let line = try #require(messages.first { $0.kind == .event && $0.body.contains("\"ticket\"") })
            let event = try #require(try JSONSerialization.jsonObject(with: Data(line.body.utf8)) as? [String: String])
            #expect(event["number"] == "1" && !line.isPrivate)
            let link = try #require(event["link"])
            let status = try await client.get(link)
            #expect(status.status == .ok && String(buffer: status.body).contains("&lt;b&gt;快递&lt;/b&gt;"))

            let missing = try await client.post(APIBody.json([:]), to: "/api/v1/conversations/\(UUID())/ticket", token: agent)
            #expect(missing.status == .notFound)
            let bad = try await client.post(APIBody.json(["priority": "soon"]), to: path, token: agent)
            #expect(bad.status == .unprocessableContent)
        }
    }

    @Test func aFlowFilesATicketWhenTheOrderSystemFails() async throws {
        try await TestApp.run(live: true) { app, client in
            _ = try await app.member("owner@shop.example", workspace: "demo-shop", role: .owner, client: client)
            let deps = app.dependencies
            let owner = try #require(try await deps.store.unscoped.workspaces.workspace(slug: "demo-shop"))
            let data = deps.store.scoped(to: owner.id)
            let shopActions = DemoShopActions(store: deps.store, actions: deps.actions, clock: deps.clock)
            try await DemoShopServer.run(secret: { await shopActions.secret() }) { port, _ in
                try await shopActions.point(at: port)
                var action = try #require(try await data.actions.action(named: "query_order"))
                action.url = "http://127.0.0.1:\(port)/api/not-json?o={{order_number}}"
                try await data.actions.save(action)
                let conversation = try await Self.chat(data, saying: "我的订单 123456 到哪了", status: .bot)
                let flow = try Flow.load(
                    json: try Data(
                        contentsOf: try ResourceFiles.base().appendingPathComponent("scenarios/ecommerce/flows/order_status.json")
                    ))
                let tickets = deps.chatTickets
                func ask() async throws -> (FlowTurn, [NewMessage]) {
                    let runner = FlowActionRunner(
                        actions: deps.actions, tickets: tickets, workspace: owner, conversation: conversation.id, locale: .zhCN)
                    return (try await FlowRunner().start(flow, message: "我的订单 123456 到哪了", actions: runner), runner.lines)
                }
                let (turn, lines) = try await ask()
                #expect(turn.status == .handoff)
                #expect(turn.messages.last?.contains("已为您登记工单 #1") == true, "\(turn.messages)")
                let publicLine = try #require(lines.first { !$0.isPrivate })
                let event = try #require(
                    try JSONSerialization.jsonObject(with: Data(publicLine.body.utf8)) as? [String: String])
                #expect(event["event"] == "ticket" && event["link"]?.hasPrefix("/help/demo-shop/tickets/") == true)
                let filed = try #require(try await data.tickets.ticket(conversation: conversation.id))
                #expect(filed.ticket.source == .bot && filed.ticket.priority == .high)
                #expect(filed.ticket.customFields["order_number"] == "123456")
                #expect(filed.ticket.subject.contains("123456"))

                // Asked again in the same chat: the open ticket is reused, not a second one.
                let (again, _) = try await ask()
                #expect(again.messages.last?.contains("#1") == true)
                #expect(try await data.tickets.count(TicketFilter(), me: nil) == 1)
            }
        }
    }

    @Test func slaWarningsAndBreachesArePostedSignedToTheWebhook() async throws {
        try await TestApp.run(live: true, configure: { $0.testClock = true }) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let data = app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop"))
            let actions = app.dependencies.actions
            let secret: @Sendable () async -> String? = {
                guard let settings = try? await actions.settings(data) else { return nil }
                return try? actions.caller.box.open(settings.sealedSigningSecret)
            }
            try await DemoShopServer.run(secret: secret) { port, backend in
                let hook = "http://127.0.0.1:\(port)/api/webhooks/sla"
                // Not allow-listed: refused, nothing saved; with the allow-list in the same request: saved.
                let refused = try await client.post(
                    APIBody.json(["allowlist": [], "sla_webhook_url": hook]), to: "/api/v1/action-settings", token: owner,
                    method: .put)
                #expect(refused.status == .unprocessableContent)
                #expect(try await data.actions.settings()?.slaWebhookURL == nil)
                let saved = try await client.post(
                    APIBody.json(["allowlist": ["127.0.0.1:\(port)"], "sla_webhook_url": hook]), to: "/api/v1/action-settings",
                    token: owner, method: .put)
                #expect((try saved.json() as? [String: Any])?["sla_webhook_url"] as? String == hook)

                _ = try await client.post(
                    APIBody.json([
                        "name": "Standard", "business_hours": false, "warn_before_minutes": 15,
                        "targets": [["priority": "high", "first_response_minutes": 60]],
                    ]), to: "/api/v1/sla-policies", token: owner)
                let start = Date(timeIntervalSince1970: 1_795_000_000)
                func move(_ minutes: Double) async throws {
                    let response = try await client.post(
                        APIBody.json(["now": RFC3339.string(start.addingTimeInterval(minutes * 60))]), to: "/api/v1/test-clock",
                        token: owner, method: .put)
                    #expect(response.status == .ok)
                }
                try await move(0)
                _ = try await client.post(
                    APIBody.json(["subject": "Late", "body": "Where?", "requester_email": "late@x.cn", "priority": "high"]),
                    to: "/api/v1/tickets", token: owner)
                try await move(50)
                try await move(61)
                var received: [[String: Any]] = []
                for _ in 0..<200 where received.count < 2 {
                    received = backend.slaAlerts.received.compactMap {
                        try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
                    }
                    try await Task.sleep(for: .milliseconds(25))
                }
                #expect(received.map { $0["event"] as? String } == ["sla.warning", "sla.breach"])
                #expect(received.allSatisfy { ($0["ticket"] as? [String: Any])?["number"] as? Int == 1 })
                #expect(received.allSatisfy { $0["metric"] as? String == "first_response" })
            }
        }
    }
}
