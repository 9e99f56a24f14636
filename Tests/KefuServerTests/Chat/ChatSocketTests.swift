import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuCore
import KefuTestSupport
import Testing

@testable import KefuServer

/// The chat protocol end to end over real sockets: a widget visitor and an agent, resends stored once, resume by
/// sequence number, and refusals that never reveal what is not the caller's.
@Suite(.timeLimit(.minutes(30))) struct ChatSocketTests {
    private func widgetKey(_ app: TestApp, _ slug: String) async throws -> String {
        try await TestSocket.widgetKey(app, slug)
    }

    private func visitor(_ client: any TestClientProtocol, key: String, token: String? = nil) async throws
        -> (TestSocket, [String: Any])
    {
        try await TestSocket.visitor(client, key: key, token: token)
    }

    private func agent(_ client: any TestClientProtocol, token: String) async throws -> TestSocket {
        try await TestSocket.agent(client, token: token)
    }

    @Test(arguments: TestDatabase.all)
    func aCustomerAndAnAgentTalkAndAResumeMissesNothingAndDoublesNothing(_ db: TestDatabase) async throws {
        try await TestApp.run(db, live: true) { app, client in
            let token = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            try await app.withoutRouting("tea-shop")
            let key = try await widgetKey(app, "tea-shop")

            var (customer, welcome) = try await visitor(client, key: key)
            let visitorToken = try #require(welcome["visitor_token"] as? String)
            #expect(welcome["conversation"] == nil)
            customer.send(["type": "send", "id": "c-1", "text": "<b>你好</b> 在吗"])
            let ack = try await customer.next("ack")
            #expect(ack["seq"] as? Int == 1)
            #expect(ack["duplicate"] as? Bool == false)
            let conversation = try #require(ack["conversation"] as? String)
            // A resend after a lost ack is acknowledged again and stored once.
            customer.send(["type": "send", "id": "c-1", "conversation": conversation, "text": "<b>你好</b> 在吗"])
            let again = try await customer.next("ack")
            #expect(again["seq"] as? Int == 1)
            #expect(again["duplicate"] as? Bool == true)

            var agentSocket = try await agent(client, token: token)
            agentSocket.send(["type": "subscribe", "conversation": conversation, "last_seq": 0])
            let backlog = try await agentSocket.frames(until: "synced").filter { $0["type"] as? String == "message" }
            let firstMessage = try #require(backlog.first?["message"] as? [String: Any])
            #expect(backlog.count == 1)
            #expect(firstMessage["text"] as? String == "<b>你好</b> 在吗")
            #expect(firstMessage["sender"] as? String == "customer")
            // Switching away and back (the console does) gets the whole backlog again.
            agentSocket.send(["type": "unsubscribe", "conversation": conversation])
            agentSocket.send(["type": "subscribe", "conversation": conversation, "last_seq": 0])
            let backlogAgain = try await agentSocket.frames(until: "synced").filter { $0["type"] as? String == "message" }
            #expect(backlogAgain.count == 1)

            agentSocket.send(["type": "send", "id": "a-1", "conversation": conversation, "text": "您好，请问有什么可以帮您？"])
            #expect(try await agentSocket.next("ack")["seq"] as? Int == 2)
            agentSocket.send([
                "type": "send", "id": "a-2", "conversation": conversation, "text": "VIP customer", "private": true,
            ])
            #expect(try await agentSocket.next("ack")["seq"] as? Int == 3)
            let live = try await customer.next("message")
            #expect(live["seq"] as? Int == 2)
            #expect((live["message"] as? [String: Any])?["sender"] as? String == "agent")
            #expect((live["message"] as? [String: Any])?["sender_id"] == nil, "agents' user ids stay inside")
            customer.close()
            await customer.closed()

            // While the customer is away the agent writes again; on reconnect the customer gets exactly that.
            agentSocket.send(["type": "send", "id": "a-3", "conversation": conversation, "text": "还在吗？"])
            #expect(try await agentSocket.next("ack")["seq"] as? Int == 4)
            var (back, resumed) = try await visitor(client, key: key, token: visitorToken)
            #expect(resumed["conversation"] as? String == conversation)
            back.send(["type": "subscribe", "conversation": conversation, "last_seq": 2])
            let missed = try await back.frames(until: "synced")
            let texts = missed.compactMap { ($0["message"] as? [String: Any])?["text"] as? String }
            #expect(texts == ["还在吗？"], "the private note never reaches the customer, the rest exactly once")
            #expect(missed.last?["last_seq"] as? Int == 4)
            back.send(["type": "read", "conversation": conversation, "seq": 4])
            let read = try await agentSocket.next("read")
            #expect(read["reader"] as? String == "customer")
            #expect(read["seq"] as? Int == 4)
            back.close()
            agentSocket.close()
        }
    }

    @Test func badFramesGetErrorsAndTheSocketStays() async throws {
        try await TestApp.run(.sqlite, live: true) { app, client in
            _ = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let key = try await widgetKey(app, "tea-shop")
            var (socket, _) = try await visitor(client, key: key)
            socket.sendRaw("{not json")
            #expect(try await socket.next("error")["code"] as? String == "bad_frame")
            socket.send(["type": "dance"])
            #expect(try await socket.next("error")["code"] as? String == "unknown_type")
            socket.send(["type": "send", "id": "x", "text": String(repeating: "长", count: 5001)])
            #expect(try await socket.next("error")["code"] as? String == "validation_failed")
            socket.send(["type": "subscribe", "conversation": UUID().uuidString, "last_seq": 0])
            #expect(try await socket.next("error")["code"] as? String == "not_found")
            socket.send(["type": "ping"])
            _ = try await socket.next("pong")
            socket.close()
        }
    }

    @Test func aForgedOrForeignVisitorTokenIsRefusedAndOthersConversationsAreNotFound() async throws {
        try await TestApp.run(.sqlite, live: true) { app, client in
            _ = try await app.member("a@shop.example", workspace: "tea-shop", role: .agent, client: client)
            _ = try await app.member("b@other.example", workspace: "other-shop", role: .agent, client: client)
            let teaKey = try await widgetKey(app, "tea-shop")
            let otherKey = try await widgetKey(app, "other-shop")

            var (first, welcome) = try await visitor(client, key: teaKey)
            let teaToken = try #require(welcome["visitor_token"] as? String)
            first.send(["type": "send", "id": "m1", "text": "我的订单"])
            let conversation = try #require(try await first.next("ack")["conversation"] as? String)

            // Another workspace's widget does not accept this workspace's token.
            var foreign = try TestSocket.open(port: client.port, path: "/ws/v1/widget")
            foreign.send(["type": "hello", "widget_key": otherKey, "visitor_token": teaToken])
            #expect(try await foreign.next("error")["code"] as? String == "unauthenticated")
            #expect(await foreign.next() == nil, "the socket is closed after a refused hello")

            var forged = try TestSocket.open(port: client.port, path: "/ws/v1/widget")
            forged.send(["type": "hello", "widget_key": teaKey, "visitor_token": teaToken.dropLast(2) + "00"])
            #expect(try await forged.next("error")["code"] as? String == "unauthenticated")

            // A second visitor of the same shop cannot read or write the first one's conversation.
            var (stranger, _) = try await visitor(client, key: teaKey)
            stranger.send(["type": "subscribe", "conversation": conversation, "last_seq": 0])
            #expect(try await stranger.next("error")["code"] as? String == "not_found")
            stranger.send(["type": "send", "id": "s1", "conversation": conversation, "text": "hi"])
            #expect(try await stranger.next("error")["code"] as? String == "not_found")

            // An agent socket without credentials is refused before the upgrade.
            #expect(try await TestSocket.refusal(client, path: "/ws/v1/agent") == .badRequest)
            // A plain GET says why.
            let why = try await client.execute(uri: "/ws/v1/agent", method: .get)
            #expect(why.status == .unauthorized)
            #expect(String(buffer: why.body).contains("\"unauthenticated\""))
            let plain = try await client.execute(uri: "/ws/v1/widget", method: .get)
            #expect(plain.status == .upgradeRequired)
            first.close()
            stranger.close()
        }
    }

    @Test func floodingFromOneAddressOverSeveralSocketsIsLimited() async throws {
        try await TestApp.run(
            .sqlite, live: true,
            configure: {
                // Two a second (four at once, two of them the hellos): however slowly a loaded machine reads the
                // 24 frames, most are refused.
                $0.maxFramesPerAddress = 2
                $0.limitLoopbackFrames = true
            }
        ) { app, client in
            try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let key = try await widgetKey(app, "tea-shop")
            var (first, _) = try await visitor(client, key: key)
            var (second, _) = try await visitor(client, key: key)
            // 24 frames at once: under each socket's own limit, over the address's (2 a second, 4 at once).
            for index in 0..<12 {
                first.send(["type": "ping", "id": "f\(index)"])
                second.send(["type": "ping", "id": "s\(index)"])
            }
            var limited = 0
            var answered = 0
            for var socket in [first, second] {
                for _ in 0..<12 {
                    let frame = try #require(await socket.next())
                    if frame["code"] as? String == "rate_limited" { limited += 1 } else { answered += 1 }
                }
            }
            #expect(limited >= 10)
            #expect(answered >= 1)
            first.close()
            second.close()
        }
    }

    /// Frames that are not JSON count against the socket's limit like any other: a flood of garbage gets refused.
    @Test func garbageFramesAreCountedByTheLimiter() async throws {
        try await TestApp.run(.sqlite, live: true) { app, client in
            try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let key = try await widgetKey(app, "tea-shop")
            var (customer, _) = try await visitor(client, key: key)
            // 80 at once: well over the socket's burst (30), however slowly a loaded machine reads them.
            for index in 0..<80 { customer.sendRaw(index % 2 == 0 ? "not json \(index)" : "{\"broken\": ") }
            var codes: [String] = []
            for _ in 0..<80 { codes.append(try #require(await customer.next())["code"] as? String ?? "") }
            #expect(
                codes.filter { $0 == "rate_limited" }.count >= 30, "\(Dictionary(grouping: codes, by: { $0 }).mapValues(\.count))"
            )
            #expect(codes.contains("bad_frame"))
            customer.close()
        }
    }

    /// Each hello without a token makes a contact: one address may start a burst of new visitors, then is refused
    /// (and the socket closed) until its allowance refills; a returning visitor with a token is never refused for it.
    @Test func newVisitorsFromOneAddressAreLimited() async throws {
        try await TestApp.run(.sqlite, live: true) { app, client in
            try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let key = try await widgetKey(app, "tea-shop")
            var tokens: [String] = []
            var refused = 0
            for _ in 0..<40 {
                var socket = try TestSocket.open(port: client.port, path: "/ws/v1/widget")
                socket.send(["type": "hello", "v": 1, "widget_key": key])
                let reply = try #require(await socket.next())
                if reply["type"] as? String == "welcome", let token = reply["visitor_token"] as? String {
                    tokens.append(token)
                } else {
                    #expect(reply["code"] as? String == "rate_limited")
                    #expect(await socket.next() == nil, "closed after the refusal")
                    refused += 1
                }
                socket.close()
            }
            #expect(refused >= 5 && tokens.count <= 35, "\(tokens.count) new visitors, \(refused) refused")
            let data = app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop"))
            #expect(try await data.contacts.recent(matching: nil, before: nil, visibleTo: nil, limit: 100).count == tokens.count)
            var back = try TestSocket.open(port: client.port, path: "/ws/v1/widget")
            back.send(["type": "hello", "v": 1, "widget_key": key, "visitor_token": try #require(tokens.first)])
            #expect(await back.next()?["type"] as? String == "welcome")
            back.close()
        }
    }

    @Test func anAgentWhoseAccessEndsIsDisconnected() async throws {
        try await TestApp.run(.sqlite, live: true) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let token = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            var socket = try await agent(client, token: token)
            socket.send(["type": "ping"])
            _ = try await socket.next("pong")
            let member = try #require(
                try await app.dependencies.store.unscoped.users.credentials(email: "agent@shop.example")?.0)
            let removed = try await client.execute(
                uri: "/api/v1/members/\(member.id)", method: .delete, headers: [.authorization: "Bearer \(owner)"])
            #expect(removed.status == .noContent)
            // The removal reaches the open socket: it is closed rather than left streaming the workspace's chats.
            while await socket.next() != nil {}
            let bearer: HTTPFields = [.authorization: "Bearer \(token)"]
            #expect(try await TestSocket.refusal(client, path: "/ws/v1/agent", headers: bearer) == .badRequest)
            let why = try await client.execute(uri: "/ws/v1/agent", method: .get, headers: bearer)
            #expect(why.status == .unauthorized)
        }
    }

    @Test func aResumeClaimingMoreThanExistsStillGetsWhatComesNext() async throws {
        try await TestApp.run(.sqlite, live: true) { app, client in
            let token = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            try await app.withoutRouting("tea-shop")
            let key = try await widgetKey(app, "tea-shop")
            var (customer, _) = try await visitor(client, key: key)
            customer.send(["type": "send", "id": "c-1", "text": "hello"])
            let conversation = try #require(try await customer.next("ack")["conversation"] as? String)
            var agentSocket = try await agent(client, token: token)
            agentSocket.send(["type": "subscribe", "conversation": conversation, "last_seq": 1_000_000])
            #expect(try await agentSocket.next("synced")["last_seq"] as? Int == 1)
            customer.send(["type": "send", "id": "c-2", "conversation": conversation, "text": "still there?"])
            let next = try await agentSocket.next("message")
            #expect(next["seq"] as? Int == 2)
            customer.close()
            agentSocket.close()
        }
    }

    @Test func askingForAPersonInAResolvedConversationReopensItForPeople() async throws {
        try await TestApp.run(.sqlite, live: true) { app, client in
            let token = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let key = try await widgetKey(app, "tea-shop")
            var (customer, _) = try await visitor(client, key: key)
            customer.send(["type": "send", "id": "c-1", "text": "hello"])
            let conversation = try #require(try await customer.next("ack")["conversation"] as? String)
            let resolved = try await client.post(
                APIBody.json([:]), to: "/api/v1/conversations/\(conversation)/resolve", token: token)
            #expect(resolved.status == .ok)
            var status = ""
            while status != "resolved" {
                status = try #require((try await customer.next("conversation")["state"] as? [String: Any])?["status"] as? String)
            }
            customer.send(["type": "handoff", "conversation": conversation])
            while status != "open" {
                status = try #require((try await customer.next("conversation")["state"] as? [String: Any])?["status"] as? String)
            }
            let detail = try #require(
                try await client.get("/api/v1/conversations/\(conversation)", token: token).json() as? [String: Any])
            #expect((detail["conversation"] as? [String: Any])?["status"] as? String == "open")
            customer.close()
        }
    }
}
