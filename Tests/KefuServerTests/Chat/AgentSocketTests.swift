import Foundation
import HTTPTypes
import HummingbirdTesting
import KefuCore
import Testing

@testable import KefuServer

/// The agent socket keeps the document's promises: hello first (credentials alone do not open the stream), the
/// agent's chosen status in the welcome (away stays away across reconnects), wrong field kinds named.
@Suite(.timeLimit(.minutes(30))) struct AgentSocketTests {
    @Test func anAgentSaysHelloFirstAndHearsTheStatusTheyChose() async throws {
        try await TestApp.run(live: true) { app, client in
            let token = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            var socket = try TestSocket.open(
                port: client.port, path: "/ws/v1/agent", headers: [.authorization: "Bearer \(token)"])
            for frame: [String: Any] in [
                ["type": "subscribe", "id": "s1", "conversation": UUID().uuidString],
                ["type": "send", "id": "m1", "conversation": UUID().uuidString, "text": "hi"],
                ["type": "presence", "id": "p1", "status": "away"],
                ["type": "fly", "id": "f1"],
            ] {
                socket.send(frame)
                let refused = try await socket.next("error")
                #expect(refused["code"] as? String == "hello_first")
                #expect(refused["id"] as? String == frame["id"] as? String)
            }
            socket.send(["type": "ping"])
            _ = try await socket.next("pong")
            socket.send(["type": "hello", "v": 1])
            let welcome = try await socket.next("welcome")
            #expect(welcome["status"] as? String == "online")

            // A number where the id's text belongs is a validation error naming the field; the socket stays.
            socket.send(["type": "presence", "id": 42, "status": "away"])
            let invalid = try await socket.next("error")
            #expect(invalid["code"] as? String == "validation_failed")
            #expect(invalid["id"] == nil)
            socket.send(["type": "presence", "id": "p2", "status": "away"])
            #expect(try await socket.next("presence")["status"] as? String == "away")
            socket.close()
            await socket.closed()

            // Reconnected: still away, and the new socket is told so.
            var again = try await TestSocket.agent(client, token: token)
            again.send(["type": "ping"])
            _ = try await again.next("pong")
            again.close()
            var third = try TestSocket.open(
                port: client.port, path: "/ws/v1/agent", headers: [.authorization: "Bearer \(token)"])
            third.send(["type": "hello", "v": 1])
            #expect(try await third.next("welcome")["status"] as? String == "away")
            third.close()
        }
    }
}
