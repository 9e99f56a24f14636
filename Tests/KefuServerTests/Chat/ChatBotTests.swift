import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuCore
import KefuTestSupport
import Logging
import Testing

@testable import KefuServer

/// Bot first in live chat: the workspace's active bot answers with its sources, hands off when asked, and stays
/// silent after; the agent sees its reasoning and the hand-off summary; agents outside the team see nothing.
@Suite(.timeLimit(.minutes(30))) struct ChatBotTests {
    /// A small bot: three intents, an FAQ entry, trained through the job queue.
    private func trainBot(_ app: TestApp, _ client: any TestClientProtocol, token: String, workspace: String) async throws {
        for (label, texts) in BotAPITests.phrases.sorted(by: { $0.key < $1.key }) {
            let created = try await client.post(APIBody.json(["label": label]), to: "/api/v1/bot/intents", token: token)
            let id = try #require((try created.json() as? [String: Any])?["id"] as? String)
            for text in texts {
                let locale = text.unicodeScalars.contains { $0.value > 0x2E80 } ? "zh-CN" : "en"
                _ = try await client.post(
                    APIBody.json(["text": text, "locale": locale]), to: "/api/v1/bot/intents/\(id)/phrases", token: token)
            }
        }
        _ = try await client.post(
            APIBody.json([
                "questions": ["怎么退货", "退货流程"], "answer": "签收 7 天内在订单页申请退货。", "intent": "returns", "locale": "zh-CN",
            ]), to: "/api/v1/kb/faqs", token: token)
        #expect(try await client.post(APIBody.json([:]), to: "/api/v1/bot/train", token: token).status == .accepted)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let worker = app.dependencies.jobWorker(logger: logger)
        let data = app.dependencies.store.scoped(to: try await app.workspaceID(workspace))
        for _ in 0..<600 {
            _ = try await worker.runOne()
            if try await data.bot.activeModel() != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("training did not finish")
    }

    @Test func theBotAnswersWithItsSourceHandsOffWhenAskedAndThenStaysSilent() async throws {
        try await TestApp.run(.sqlite, live: true) { app, client in
            let admin = try await app.member("admin@shop.example", workspace: "tea-shop", role: .admin, client: client)
            try await trainBot(app, client, token: admin, workspace: "tea-shop")
            let key = try #require(
                try await app.dependencies.store.unscoped.workspaces.workspace(slug: "tea-shop")?.widgetKey)

            var customer = try TestSocket.open(port: client.port, path: "/ws/v1/widget")
            customer.send(["type": "hello", "v": 1, "widget_key": key, "locale": "zh-CN"])
            _ = try await customer.next("welcome")
            customer.send(["type": "send", "id": "q1", "text": "怎么退货"])
            let conversation = try #require(try await customer.next("ack")["conversation"] as? String)
            var answer: [String: Any] = [:]
            while answer["sender"] as? String != "bot" {
                answer = try #require(try await customer.next("message")["message"] as? [String: Any])
            }
            #expect(answer["text"] as? String == "签收 7 天内在订单页申请退货。")
            #expect((answer["sources"] as? [[String: Any]])?.first?["title"] as? String == "怎么退货")
            #expect(answer["bot"] == nil, "customers never see the bot's reasoning")

            customer.send(["type": "send", "id": "q2", "conversation": conversation, "text": "转人工"])
            // State frames arrive after each bot turn; the hand-off is the one that says `open`.
            var status = ""
            while status != "open" {
                status = try #require((try await customer.next("conversation")["state"] as? [String: Any])?["status"] as? String)
            }

            let detail = try #require(
                try await client.get("/api/v1/conversations/\(conversation)", token: admin).json() as? [String: Any])
            let state = try #require(detail["conversation"] as? [String: Any])
            #expect(state["status"] as? String == "open")
            let summary = try #require(state["handoff"] as? [String: Any])
            #expect((summary["summary"] as? String)?.contains("怎么退货") == true)
            let inbox = try #require(
                try await client.get("/api/v1/conversations?view=unassigned", token: admin).json() as? [String: Any])
            #expect((inbox["conversations"] as? [[String: Any]])?.map { $0["id"] as? String } == [conversation])

            let transcript = try #require(
                try await client.get("/api/v1/conversations/\(conversation)/messages", token: admin).json()
                    as? [String: Any])
            let messages = try #require(transcript["messages"] as? [[String: Any]])
            let botAnswer = try #require(messages.first { $0["sender"] as? String == "bot" })
            #expect((botAnswer["bot"] as? [String: Any])?["intent"] as? String == "returns", "agents see the reasoning")

            // After the hand-off the bot stays silent, whatever the customer writes.
            let before = messages.count
            customer.send(["type": "send", "id": "q3", "conversation": conversation, "text": "怎么退货"])
            _ = try await customer.next("ack")
            let taken = try await client.post(APIBody.json([:]), to: "/api/v1/conversations/\(conversation)/take", token: admin)
            #expect(taken.status == .ok)
            let after = try #require(
                (try await client.get("/api/v1/conversations/\(conversation)/messages", token: admin).json()
                    as? [String: Any])?["messages"] as? [[String: Any]])
            #expect(after.count == before + 2, "the customer's message and the 'assigned' line, no bot answer")
            #expect(after.filter { $0["sender"] as? String == "bot" }.count == botMessages(messages))
            customer.close()
        }
    }

    /// The conversation core gives the bot every customer input: a file it cannot read and a message left for later
    /// both go to people with the bot's own line and the reason, a left message classified for its team.
    @Test func anUploadAndALeftMessageInABotConversationReachTheBot() async throws {
        try await TestApp.run(.sqlite, live: true) { app, client in
            let admin = try await app.member("admin@shop.example", workspace: "tea-shop", role: .admin, client: client)
            try await trainBot(app, client, token: admin, workspace: "tea-shop")
            let key = try #require(
                try await app.dependencies.store.unscoped.workspaces.workspace(slug: "tea-shop")?.widgetKey)
            let catalogues = app.dependencies.renderer.catalogues
            func state(_ id: String) async throws -> [String: Any] {
                let detail = try #require(
                    try await client.get("/api/v1/conversations/\(id)", token: admin).json() as? [String: Any])
                return try #require(detail["conversation"] as? [String: Any])
            }
            func lastBotLine(_ id: String) async throws -> String? {
                let body = try #require(
                    try await client.get("/api/v1/conversations/\(id)/messages", token: admin).json() as? [String: Any])
                return (body["messages"] as? [[String: Any]])?.last { $0["sender"] as? String == "bot" }?["text"] as? String
            }

            // A picture in the bot's conversation: the bot says it cannot read it and hands over.
            var first = try TestSocket.open(port: client.port, path: "/ws/v1/widget")
            first.send(["type": "hello", "v": 1, "widget_key": key, "locale": "zh-CN"])
            let token = try #require(try await first.next("welcome")["visitor_token"] as? String)
            first.send(["type": "send", "id": "q1", "text": "怎么退货"])
            let one = try #require(try await first.next("ack")["conversation"] as? String)
            #expect(try await state(one)["status"] as? String == "bot")
            let headers: HTTPFields = [.contentType: "image/png", .kefuVisitor: token]
            let uploaded = try await client.execute(
                uri: "/api/v1/widget/\(key)/attachments?name=photo.png&client_id=f1&conversation=\(one)", method: .post,
                headers: headers, body: ByteBuffer(bytes: ChatAttachmentTests.png))
            #expect(uploaded.status == .created)
            let handedOver = try await state(one)
            #expect(handedOver["status"] as? String == "open")
            #expect((handedOver["handoff"] as? [String: Any])?["reason"] as? String == "customer_sent_file")
            #expect(try await lastBotLine(one) == catalogues.text("chat", "file_to_person", .zhCN))
            first.close()

            // A message left in the bot's conversation: the bot classifies it, hands over and says it is received.
            var second = try TestSocket.open(port: client.port, path: "/ws/v1/widget")
            second.send(["type": "hello", "v": 1, "widget_key": key, "locale": "zh-CN"])
            _ = try await second.next("welcome")
            second.send(["type": "send", "id": "s1", "text": "怎么退货"])
            let two = try #require(try await second.next("ack")["conversation"] as? String)
            #expect(try await state(two)["status"] as? String == "bot")
            second.send([
                "type": "leave_message", "id": "l1", "conversation": two, "text": "我要退货，怎么退货", "name": "王芳",
                "email": "wang@example.cn",
            ])
            #expect(try await second.next("ack")["id"] as? String == "l1")
            // The bot's turn follows the acknowledgement: its hand-off is the state that says `open`.
            var status = ""
            while status != "open" {
                status = try #require((try await second.next("conversation")["state"] as? [String: Any])?["status"] as? String)
            }
            let left = try await state(two)
            #expect(left["status"] as? String == "open")
            #expect(left["reply_to"] as? String == "wang@example.cn")
            let handoff = try #require(left["handoff"] as? [String: Any])
            #expect(handoff["reason"] as? String == "left_message")
            #expect(handoff["intent"] as? String == "returns")
            #expect(try await lastBotLine(two) == catalogues.text("chat", "left_message_received", .zhCN))
            second.close()
        }
    }

    private func botMessages(_ messages: [[String: Any]]) -> Int {
        messages.filter { $0["sender"] as? String == "bot" }.count
    }

    @Test func agentsOutsideTheTeamGetNotFoundAndOnlyOneAgentTakesAConversation() async throws {
        try await TestApp.run(.sqlite) { app, client in
            let admin = try await app.member("admin@shop.example", workspace: "tea-shop", role: .admin, client: client)
            let inTeam = try await app.member("in@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let outside = try await app.member("out@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let other = try await app.member("x@other.example", workspace: "other-shop", role: .owner, client: client)
            let workspace = try await app.workspaceID("tea-shop")
            let data = app.dependencies.store.scoped(to: workspace)
            let now = Date()
            let team = try await data.teams.create(name: "Returns", at: now)
            let inUser = try #require(try await app.dependencies.store.unscoped.users.credentials(email: "in@shop.example")?.0)
            try await data.teams.addMember(teamID: team.id, userID: inUser.id)
            let contact = try await data.contacts.create(name: "Wang", at: now)
            let conversation = try await data.conversations.start(
                contact: contact.id, status: .open, locale: .zhCN, team: team.id, at: now)
            _ = try await data.transaction { tx in
                try await tx.conversations.append(
                    conversation.id, NewMessage(clientID: "c1", sender: .customer, body: "<script>alert(1)</script>"), at: now)
            }
            let path = "/api/v1/conversations/\(conversation.id)"
            #expect(try await client.get(path, token: inTeam).status == .ok)
            #expect(try await client.get(path, token: admin).status == .ok)
            for token in [outside, other] {
                #expect(try await client.get(path, token: token).status == .notFound)
                #expect(try await client.get(path + "/messages", token: token).status == .notFound)
                let reply = try await client.post(APIBody.json(["text": "hi"]), to: path + "/messages", token: token)
                #expect(reply.status == .notFound)
                #expect(try await client.post(APIBody.json([:]), to: path + "/take", token: token).status == .notFound)
            }
            let outsideInbox = try #require(
                try await client.get("/api/v1/conversations?view=all", token: outside).json() as? [String: Any])
            #expect((outsideInbox["conversations"] as? [Any])?.isEmpty == true)

            #expect(try await client.post(APIBody.json([:]), to: path + "/take", token: inTeam).status == .ok)
            let late = try await client.post(APIBody.json([:]), to: path + "/take", token: admin)
            #expect(late.status == .conflict)
            let reply = try await client.post(
                APIBody.json(["text": "您好", "client_id": "r-1"]), to: path + "/messages", token: inTeam)
            #expect(reply.status == .created)
            let again = try await client.post(
                APIBody.json(["text": "您好", "client_id": "r-1"]), to: path + "/messages", token: inTeam)
            #expect(again.status == .ok)
            #expect((try again.json() as? [String: Any])?["seq"] as? Int == (try reply.json() as? [String: Any])?["seq"] as? Int)
            #expect(try await client.post(APIBody.json([:]), to: path + "/resolve", token: inTeam).status == .ok)
            let closed = try await client.post(APIBody.json(["text": "还有吗"]), to: path + "/messages", token: inTeam)
            #expect(closed.status == .conflict)
            #expect(try await client.post(APIBody.json([:]), to: path + "/reopen", token: inTeam).status == .ok)
            let messages = try #require(
                (try await client.get(path + "/messages", token: inTeam).json() as? [String: Any])?["messages"]
                    as? [[String: Any]])
            #expect(messages.first?["text"] as? String == "<script>alert(1)</script>", "stored and served as text")
            #expect(messages.map { $0["seq"] as? Int } == Array(1...messages.count).map { $0 })
        }
    }
}
