import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuCore
import KefuTestSupport
import SQLKit
import Testing

@testable import KefuServer

/// Several instances on one PostgreSQL: events cross between them over LISTEN/NOTIFY, any instance serves anyone.
@Suite(.timeLimit(.minutes(30))) struct InstancesTests {
    private func texts(_ client: any TestClientProtocol, _ conversation: String, token: String) async throws -> [String] {
        let body = try #require(
            try await client.get("/api/v1/conversations/\(conversation)/messages", token: token).json() as? [String: Any])
        return ((body["messages"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }
    }

    @Test func aCustomerOnOneInstanceAndAnAgentOnAnotherTalkLiveAndTheCustomerMovesOver() async throws {
        try await TestApp.runPair { first, clientA, second, clientB in
            try await first.listening()
            try await second.listening()
            let token = try await first.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: clientA)
            let key = try await TestSocket.widgetKey(first, "tea-shop")

            var agent = try await TestSocket.agent(clientB, token: token)
            var (customer, welcome) = try await TestSocket.visitor(clientA, key: key)
            let visitorToken = try #require(welcome["visitor_token"] as? String)
            customer.send(["type": "send", "id": "c-1", "text": "你好，在吗"])
            let conversation = try #require(try await customer.next("ack")["conversation"] as? String)

            // The inbox on B hears of the conversation started on A, and its messages arrive live.
            _ = try await agent.next("conversation")
            agent.send(["type": "subscribe", "conversation": conversation, "last_seq": 0])
            let backlog = try await agent.frames(until: "synced").compactMap { ($0["message"] as? [String: Any])?["text"] }
            #expect(backlog.compactMap { $0 as? String }.contains("你好，在吗"))
            customer.send(["type": "send", "id": "c-2", "conversation": conversation, "text": "订单 1001 到哪了"])
            var live = try await agent.next("message")
            while (live["message"] as? [String: Any])?["text"] as? String != "订单 1001 到哪了" {
                live = try await agent.next("message")
            }
            agent.send(["type": "send", "id": "a-1", "conversation": conversation, "text": "已发货，明天到。"])
            var reply = try await customer.next("message")
            while (reply["message"] as? [String: Any])?["text"] as? String != "已发货，明天到。" {
                reply = try await customer.next("message")
            }
            let lastSeen = try #require(reply["seq"] as? Int)

            // The customer's page moves to the other instance (a load balancer without sticky sessions) and resumes.
            customer.close()
            await customer.closed()
            agent.send(["type": "send", "id": "a-2", "conversation": conversation, "text": "还有别的问题吗？"])
            // a-1's acknowledgement may still be unread: wait for a-2's own, so it is stored before the customer resumes.
            while try await agent.next("ack")["id"] as? String != "a-2" {}
            var (moved, resumed) = try await TestSocket.visitor(clientB, key: key, token: visitorToken)
            #expect(resumed["conversation"] as? String == conversation)
            moved.send(["type": "subscribe", "conversation": conversation, "last_seq": lastSeen])
            let missed = try await moved.frames(until: "synced").compactMap {
                ($0["message"] as? [String: Any])?["text"] as? String
            }
            #expect(missed == ["还有别的问题吗？"])
            moved.send(["type": "send", "id": "c-3", "conversation": conversation, "text": "没有了，谢谢"])
            _ = try await moved.next("ack")

            let transcript = try await texts(clientA, conversation, token: token)
            for text in ["你好，在吗", "订单 1001 到哪了", "已发货，明天到。", "还有别的问题吗？", "没有了，谢谢"] {
                #expect(transcript.filter { $0 == text }.count == 1, "\(text) in \(transcript)")
            }
            // Presence crosses too: the agent connected on B is online as A sees it.
            let presence = try #require(try await clientA.get("/api/v1/presence", token: token).json() as? [String: Any])
            #expect(((presence["data"] as? [[String: Any]]) ?? []).contains { $0["status"] as? String == "online" })
            moved.close()
            agent.close()
        }
    }

    @Test func aDroppedListenerReconnectsAndItsSocketsReadWhatTheyMissed() async throws {
        try await TestApp.runPair { first, clientA, second, clientB in
            try await first.listening()
            try await second.listening()
            let token = try await first.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: clientA)
            let key = try await TestSocket.widgetKey(first, "tea-shop")
            var agent = try await TestSocket.agent(clientB, token: token)
            var (customer, _) = try await TestSocket.visitor(clientA, key: key)
            customer.send(["type": "send", "id": "c-1", "text": "第一条"])
            let conversation = try #require(try await customer.next("ack")["conversation"] as? String)
            agent.send(["type": "subscribe", "conversation": conversation, "last_seq": 0])
            _ = try await agent.frames(until: "synced")

            // The database drops every listening connection; what is sent meanwhile is not heard by B.
            let sql = try #require(second.dependencies.store.database as? any SQLDatabase)
            try await sql.raw(
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()
                """
            ).run()
            customer.send(["type": "send", "id": "c-2", "conversation": conversation, "text": "断线时发的"])
            _ = try await customer.next("ack")
            var heard: [String] = []
            while !heard.contains("断线时发的") {
                let frame = try await agent.next("message")
                if let text = (frame["message"] as? [String: Any])?["text"] as? String { heard.append(text) }
            }
            #expect(heard.filter { $0 == "断线时发的" }.count == 1)
            try await second.listening()
            customer.close()
            agent.close()
        }
    }
}
