import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuCore
import KefuStore
import KefuTestSupport
import Logging
import Testing

@testable import KefuServer

/// Routing: capacity, the live queue and its order, seats that free, and atomic assignment across instances.
@Suite(.timeLimit(.minutes(30))) struct RoutingTests {
    private func userID(_ app: TestApp, _ email: String) async throws -> UserID {
        try #require(try await app.dependencies.store.unscoped.users.credentials(email: email)?.0).id
    }

    private func setRouting(
        _ client: any TestClientProtocol, _ user: UserID, maxChats: Int, token: String, expect status: HTTPResponse.Status = .ok
    ) async throws {
        let body = APIBody.json(["max_chats": maxChats, "skills": [], "languages": []])
        let response = try await client.post(body, to: "/api/v1/members/\(user)/routing", token: token, method: .put)
        #expect(response.status == status)
    }

    private func assignee(_ client: any TestClientProtocol, _ conversation: String, token: String) async throws -> String? {
        let body = try #require(
            try await client.get("/api/v1/conversations/\(conversation)", token: token).json() as? [String: Any])
        return (body["conversation"] as? [String: Any])?["assignee_id"] as? String
    }

    /// A customer's first message; returns the conversation id and, when it waits, the first place it heard (sent
    /// right after the conversation's backlog, before the acknowledgement).
    private func customerWrites(_ socket: inout TestSocket, _ id: String) async throws -> (String, [String: Any]?) {
        socket.send(["type": "send", "id": id, "text": "有人在吗 \(id)"])
        let frames = try await socket.frames(until: "ack")
        let conversation = try #require(frames.last?["conversation"] as? String)
        return (conversation, frames.first { $0["type"] as? String == "queue" })
    }

    /// The next `queue` frame that satisfies `wanted`, skipping earlier updates.
    private func place(
        _ socket: inout TestSocket, where wanted: ([String: Any]) -> Bool, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [String: Any] {
        while true {
            let frame = try await socket.next("queue", sourceLocation: sourceLocation)
            if wanted(frame) { return frame }
        }
    }

    private func status(_ client: any TestClientProtocol, of user: UserID, token: String) async throws -> String? {
        let list = try #require(try await client.get("/api/v1/presence", token: token).json() as? [String: Any])
        let entry = (list["data"] as? [[String: Any]])?.first { $0["user_id"] as? String == user.description }
        return entry?["status"] as? String
    }

    @Test(arguments: TestDatabase.all)
    func aFullAgentLeavesCustomersQueuedInOrderAndEveryFreedSeatTakesTheHead(_ db: TestDatabase) async throws {
        try await TestApp.run(db, live: true) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let agentToken = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let agent = try await userID(app, "agent@shop.example")
            // The owner never opens a console: not connected, never routed to.
            try await setRouting(client, agent, maxChats: 1, token: owner)
            var console = try await TestSocket.agent(client, token: agentToken)
            let key = try await TestSocket.widgetKey(app, "tea-shop")

            var (first, _) = try await TestSocket.visitor(client, key: key)
            let (one, firstPlace) = try await customerWrites(&first, "c-1")
            #expect(firstPlace == nil, "an agent was free")
            #expect(try await assignee(client, one, token: owner) == agent.description)
            let transcript = try #require(
                try await client.get("/api/v1/conversations/\(one)/messages", token: owner).json() as? [String: Any])
            let senders = (transcript["messages"] as? [[String: Any]])?.map { $0["sender"] as? String }
            #expect(senders == ["customer", "system"], "their message, then who took it")

            var (second, _) = try await TestSocket.visitor(client, key: key)
            let (two, heard) = try await customerWrites(&second, "c-2")
            var place = try #require(heard)
            #expect(place["waiting"] as? Bool == true)
            #expect(place["position"] as? Int == 1)
            var (third, _) = try await TestSocket.visitor(client, key: key)
            let (three, thirdPlace) = try await customerWrites(&third, "c-3")
            #expect(thirdPlace?["position"] as? Int == 2)
            #expect(try await assignee(client, two, token: owner) == nil)

            let overview = try #require(try await client.get("/api/v1/queues", token: owner).json() as? [String: Any])
            let queues = try #require(overview["queues"] as? [[String: Any]])
            let waiting = queues.flatMap { ($0["waiting"] as? [[String: Any]]) ?? [] }
            #expect(waiting.map { $0["conversation_id"] as? String } == [two, three].map { $0.uppercased() })
            let loads = try #require(overview["agents"] as? [[String: Any]])
            let load = try #require(loads.first { $0["user_id"] as? String == agent.description })
            #expect(load["open_chats"] as? Int == 1 && load["connected"] as? Bool == true)
            #expect(try await client.get("/api/v1/queues", token: agentToken).status == .forbidden)

            // Capacity below the open chats keeps them; a freed seat then stays empty.
            try await setRouting(client, agent, maxChats: 0, token: owner)
            #expect(try await assignee(client, one, token: owner) == agent.description)
            let resolved = try await client.post(APIBody.json([:]), to: "/api/v1/conversations/\(one)/resolve", token: agentToken)
            #expect(resolved.status == .ok)
            #expect(try await assignee(client, two, token: owner) == nil)

            // Raising it gives the head of the queue at once; the one behind moves up.
            try await setRouting(client, agent, maxChats: 1, token: owner)
            place = try await self.place(&second) { $0["waiting"] as? Bool == false }
            #expect(place["position"] == nil)
            #expect(try await assignee(client, two, token: owner) == agent.description)
            _ = try await self.place(&third) { $0["position"] as? Int == 1 }

            // Away takes no new chats; back online takes the next at once.
            let away = APIBody.json(["status": "away"])
            #expect(try await client.post(away, to: "/api/v1/me/presence", token: agentToken, method: .put).status == .ok)
            _ = try await client.post(APIBody.json([:]), to: "/api/v1/conversations/\(two)/resolve", token: agentToken)
            #expect(try await assignee(client, three, token: owner) == nil)
            let online = APIBody.json(["status": "online"])
            #expect(try await client.post(online, to: "/api/v1/me/presence", token: agentToken, method: .put).status == .ok)
            _ = try await self.place(&third) { $0["waiting"] as? Bool == false }
            #expect(try await assignee(client, three, token: owner) == agent.description)

            // A console closing is an agent going offline: the next customer waits.
            console.close()
            await console.closed()
            while try await status(client, of: agent, token: owner) != "offline" { try await Task.sleep(for: .milliseconds(20)) }
            _ = try await client.post(APIBody.json([:]), to: "/api/v1/conversations/\(three)/resolve", token: agentToken)
            var (fourth, _) = try await TestSocket.visitor(client, key: key)
            let (four, fourthPlace) = try await customerWrites(&fourth, "c-4")
            #expect(fourthPlace?["position"] as? Int == 1)
            #expect(try await assignee(client, four, token: owner) == nil)
            for socket in [first, second, third, fourth] { socket.close() }
        }
    }

    @Test func anAgentOfflineLongerThanTheGraceGivesTheirChatsBackToTheHeadOfTheQueue() async throws {
        try await TestApp.run(.sqlite, live: true, configure: { $0.routingOfflineGraceSeconds = 1 }) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let leaving = try await app.member("a@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let staying = try await app.member("b@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let (a, b) = (try await userID(app, "a@shop.example"), try await userID(app, "b@shop.example"))
            try await setRouting(client, a, maxChats: 1, token: owner)
            try await setRouting(client, b, maxChats: 1, token: owner)
            let workspace = try await app.workspaceID("tea-shop")
            let router = app.dependencies.conversations.router
            var console = try await TestSocket.agent(client, token: leaving)
            let key = try await TestSocket.widgetKey(app, "tea-shop")
            var (first, _) = try await TestSocket.visitor(client, key: key)
            let (one, _) = try await customerWrites(&first, "c-1")
            var (second, _) = try await TestSocket.visitor(client, key: key)
            let (two, place) = try await customerWrites(&second, "c-2")
            #expect(try await assignee(client, one, token: owner) == a.description)
            #expect(place?["position"] as? Int == 1)

            console.close()
            await console.closed()
            while try await status(client, of: a, token: owner) != "offline" { try await Task.sleep(for: .milliseconds(20)) }
            // Within the grace period the chat stays theirs (a reload, a train through a tunnel).
            await router.sweep(workspace)
            #expect(try await assignee(client, one, token: owner) == a.description)
            try await Task.sleep(for: .milliseconds(1200))
            await router.sweep(workspace)
            #expect(try await assignee(client, one, token: owner) == nil)
            let overview = try #require(try await client.get("/api/v1/queues", token: owner).json() as? [String: Any])
            let waiting = ((overview["queues"] as? [[String: Any]]) ?? []).flatMap { ($0["waiting"] as? [[String: Any]]) ?? [] }
            #expect(waiting.map { $0["conversation_id"] as? String } == [one, two].map { $0.uppercased() }, "back at the head")

            // The next agent to come online takes it first; the customer behind still waits, first in line.
            console = try await TestSocket.agent(client, token: staying)
            _ = try await self.place(&first) { $0["waiting"] as? Bool == false }
            #expect(try await assignee(client, one, token: owner) == b.description)
            #expect(try await assignee(client, two, token: owner) == nil)
            for socket in [first, second, console] { socket.close() }
        }
    }

    @Test func routingSettingsRefuseBadValuesAndStrangers() async throws {
        try await TestApp.run(.sqlite) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let agentToken = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            _ = try await app.member("x@other.example", workspace: "other-shop", role: .owner, client: client)
            let agent = try await userID(app, "agent@shop.example")
            let stranger = try await userID(app, "x@other.example")
            let path = "/api/v1/members/\(agent)/routing"
            for body: [String: Any] in [
                ["max_chats": -1, "skills": [], "languages": []],
                ["max_chats": 101, "skills": [], "languages": []],
                ["max_chats": 3, "skills": [], "languages": ["fr"]],
                ["max_chats": 3, "skills": ["  "], "languages": []],
                ["max_chats": 3, "skills": []],
            ] {
                let response = try await client.post(APIBody.json(body), to: path, token: owner, method: .put)
                #expect(response.status == .unprocessableContent, "\(body)")
            }
            let unchanged = try #require(try await client.get(path, token: owner).json() as? [String: Any])
            #expect(unchanged["max_chats"] as? Int == 5)
            try await setRouting(client, agent, maxChats: 3, token: agentToken, expect: .forbidden)
            try await setRouting(client, stranger, maxChats: 3, token: owner, expect: .notFound)
            let good = APIBody.json(["max_chats": 3, "skills": ["returns", "returns"], "languages": ["zh-CN"]])
            let saved = try #require(
                try await client.post(good, to: path, token: owner, method: .put).json() as? [String: Any])
            #expect(saved["skills"] as? [String] == ["returns"])
            #expect(saved["languages"] as? [String] == ["zh-CN"])

            let team = try await app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop")).teams
                .create(name: "Returns", at: Date())
            let member = "/api/v1/teams/\(team.id)/members/\(agent)"
            #expect(try await client.post(APIBody.json([:]), to: member, token: agentToken, method: .put).status == .forbidden)
            #expect(try await client.post(APIBody.json([:]), to: member, token: owner, method: .put).status == .ok)
            let again = try #require(
                try await client.post(APIBody.json([:]), to: member, token: owner, method: .put).json() as? [String: Any])
            #expect(again["user_ids"] as? [String] == [agent.description])
            let foreign = "/api/v1/teams/\(team.id)/members/\(stranger)"
            #expect(try await client.post(APIBody.json([:]), to: foreign, token: owner, method: .put).status == .notFound)
            let noTeam = "/api/v1/teams/\(UUID())/members/\(agent)"
            #expect(try await client.post(APIBody.json([:]), to: noTeam, token: owner, method: .put).status == .notFound)
            #expect(try await client.post(APIBody.json([:]), to: member, token: owner, method: .delete).status == .noContent)
            #expect(try await client.post(APIBody.json([:]), to: member, token: owner, method: .delete).status == .notFound)
        }
    }

    /// Two instances (two stores, two routers) drain one queue at once: every seat is filled once, nobody over capacity,
    /// no conversation given twice, the first in line served first.
    @Test(arguments: TestDatabase.all)
    func twoInstancesDrainingAtOnceNeverDoubleAssignNorOverfill(_ db: TestDatabase) async throws {
        try await db.withURL { url in
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let location = try DatabaseLocation.parse(url, dataDirectory: NSTemporaryDirectory())
            let first = try Store(location: location, logger: logger)
            let second = try Store(location: location, logger: logger)
            do {
                try await first.open()
                try await second.open()
                try await MigrationRunner(database: first.database, logger: logger).migrate()
                try await race(first, second, logger: logger)
            } catch {
                await first.shutdown()
                await second.shutdown()
                throw error
            }
            await first.shutdown()
            await second.shutdown()
        }
    }

    private func race(_ first: Store, _ second: Store, logger: Logger) async throws {
        let now = Date()
        let workspace = try await first.unscoped.workspaces.create(slug: "shop", name: "Shop", defaultLocale: .en, at: now)
        let data = first.scoped(to: workspace.id)
        let instances = [UUID(), UUID()]
        var agents: [UserID] = []
        for index in 0..<5 {
            let user = try await first.unscoped.users.create(
                email: "a\(index)@shop.example", displayName: "A\(index)", locale: nil, passwordHash: "h", at: now)
            _ = try await data.members.add(userID: user.id, role: .agent, at: now)
            try await data.routing.setSettings(user.id, AgentRouting(maxChats: 2, skills: [], languages: []))
            try await data.routing.connections(user.id, instance: instances[index % 2], delta: 1, at: now)
            agents.append(user.id)
        }
        var queued: [ConversationID] = []
        for index in 0..<30 {
            let contact = try await data.contacts.create(name: "C\(index)", at: now)
            let conversation = try await data.conversations.start(
                contact: contact.id, status: .open, locale: .en, team: nil, at: now)
            _ = try await data.routing.enqueue(conversation.id, at: now.addingTimeInterval(Double(index)))
            queued.append(conversation.id)
        }
        // The routers' time is the setup's: on a loaded machine the setup alone may take longer than a connection
        // row stays fresh, and then nobody would be connected.
        let routers = zip([first, second], instances).map { store, instance in
            ChatRouter(store: store, clock: WallClock { now }, events: LocalEventBus(), instance: instance, logger: logger)
        }
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<16 { group.addTask { await routers[index % 2].drain(workspace.id, team: nil) } }
        }

        let all = try await data.conversations.conversations(ConversationFilter(), limit: 100)
        let assigned = all.filter { $0.assigneeID != nil }
        #expect(assigned.count == 10)
        #expect(Set(assigned.map(\.id)) == Set(queued.prefix(10)), "the first in line first")
        for agent in agents { #expect(assigned.filter { $0.assigneeID == agent }.count == 2) }
        for conversation in assigned {
            let lines = try await data.conversations.messages(conversation.id, after: 0, limit: 10, includePrivate: true)
            #expect(lines.filter { $0.kind == .event }.count == 1, "assigned once")
        }
        #expect(try await data.routing.queue(team: nil, limit: 100) == Array(queued.dropFirst(10)))
    }

    @Test func aTransferWithANoteReachesTheColleagueAndNeverTheCustomer() async throws {
        try await TestApp.run(live: true) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let firstToken = try await app.member("li@shop.example", workspace: "tea-shop", role: .agent, client: client)
            _ = try await app.member("wang@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let first = try await userID(app, "li@shop.example")
            let second = try await userID(app, "wang@shop.example")
            try await setRouting(client, second, maxChats: 0, token: owner)
            let console = try await TestSocket.agent(client, token: firstToken)
            let key = try await TestSocket.widgetKey(app, "tea-shop")
            var (customer, _) = try await TestSocket.visitor(client, key: key)
            let (id, _) = try await customerWrites(&customer, "c-1")
            #expect(try await assignee(client, id, token: owner) == first.description)

            let note = "客户要退第二件，已核实订单，请直接办理"
            let tooLong = APIBody.json(["assignee_id": second.description, "note": String(repeating: "长", count: 5001)])
            let refused = try await client.post(tooLong, to: "/api/v1/conversations/\(id)/assign", token: firstToken)
            #expect(refused.status == .unprocessableContent)
            #expect(try await assignee(client, id, token: owner) == first.description, "refused: nothing changed")

            let transfer = APIBody.json(["assignee_id": second.description, "note": note])
            let moved = try await client.post(transfer, to: "/api/v1/conversations/\(id)/assign", token: firstToken)
            #expect(moved.status == .ok)
            #expect(try await assignee(client, id, token: owner) == second.description)
            let transcript = try #require(
                try await client.get("/api/v1/conversations/\(id)/messages", token: owner).json() as? [String: Any])
            let messages = try #require(transcript["messages"] as? [[String: Any]])
            let last = messages.suffix(2)
            #expect(last.first?["text"] as? String == note && last.first?["private"] as? Bool == true)
            #expect((last.last?["event"] as? [String: String])?["event"] == "assigned")

            // The customer hears who has the chat now, never the note.
            var seen: [String] = []
            while true {
                let frame = try await customer.next("message")
                seen.append(String(describing: frame))
                if ((frame["message"] as? [String: Any])?["event"] as? [String: String])?["event"] == "assigned",
                    (frame["seq"] as? Int) == (last.last?["seq"] as? Int)
                {
                    break
                }
            }
            #expect(!seen.contains { $0.contains("已核实订单") })
            let visitorView = try #require(
                try await client.get("/api/v1/conversations/\(id)/messages", token: owner).json() as? [String: Any])
            #expect(visitorView["messages"] != nil)
            customer.close()
            console.close()
        }
    }

    @Test func anIntentsHandoffTeamIsEditable() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let created = try await client.post(APIBody.json(["label": "refund_status"]), to: "/api/v1/bot/intents", token: owner)
            let intent = try #require(try created.json() as? [String: Any])["id"] as? String
            let made = try await client.post(APIBody.json(["name": "售后组"]), to: "/api/v1/teams", token: owner)
            let team = try #require(try made.json() as? [String: Any])["id"] as? String
            let path = "/api/v1/bot/intents/\(intent ?? "")/team"

            let set = try await client.post(APIBody.json(["team_id": team ?? ""]), to: path, token: owner, method: .put)
            #expect(set.status == .ok)
            #expect((try set.json() as? [String: Any])?["team_id"] as? String == team)
            let read = try #require(
                try await client.get("/api/v1/bot/intents/\(intent ?? "")", token: owner).json() as? [String: Any])
            #expect((read["intent"] as? [String: Any])?["team_id"] as? String == team)

            let stranger = APIBody.json(["team_id": UUID().uuidString])
            #expect(try await client.post(stranger, to: path, token: owner, method: .put).status == .notFound)
            #expect(
                try await client.post(APIBody.json(["team_id": team ?? ""]), to: path, token: agent, method: .put).status
                    == .forbidden)
            let still = try #require(
                try await client.get("/api/v1/bot/intents/\(intent ?? "")", token: owner).json() as? [String: Any])
            #expect((still["intent"] as? [String: Any])?["team_id"] as? String == team, "refused changes nothing")

            let cleared = try await client.post(APIBody.json(["team_id": NSNull()]), to: path, token: owner, method: .put)
            #expect(cleared.status == .ok)
            #expect((try cleared.json() as? [String: Any])?["team_id"] == nil)
        }
    }
}
