import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuCore
import KefuStore
import KefuTestSupport
import Testing

@testable import KefuServer

/// The agent's tools around a conversation: canned replies with slots, the sensitive-word filter, message search,
/// contacts, presence.
@Suite(.timeLimit(.minutes(30))) struct ChatToolsTests {
    /// A customer's conversation holding `text`, and the agent socket that saw it.
    private func customerSays(_ text: String, app: TestApp, client: any TestClientProtocol, workspace: String = "tea-shop")
        async throws -> (conversation: String, customer: TestSocket)
    {
        let key = try await TestSocket.widgetKey(app, workspace)
        var (customer, _) = try await TestSocket.visitor(client, key: key)
        customer.send(["type": "send", "id": "c-\(UUID())", "text": text])
        let conversation = try #require(try await customer.next("ack")["conversation"] as? String)
        return (conversation, customer)
    }

    private func messages(_ client: any TestClientProtocol, _ conversation: String, token: String) async throws
        -> [[String: Any]]
    {
        let response = try await client.get("/api/v1/conversations/\(conversation)/messages", token: token)
        return try #require((try response.json() as? [String: Any])?["messages"] as? [[String: Any]])
    }

    @Test func cannedRepliesAreOwnOrSharedAndFillTheirSlots() async throws {
        try await TestApp.run(.sqlite, live: true) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let other = try await app.member("other@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let (conversation, customer) = try await customerSays("hello", app: app, client: client)
            let contact = try #require(
                (try await client.get("/api/v1/conversations/\(conversation)", token: agent).json() as? [String: Any])
                    .flatMap { ($0["conversation"] as? [String: Any])?["contact_id"] as? String })
            let patched = try await client.post(
                APIBody.json(["name": "Ada", "attributes": ["order": "A-1001"]]), to: "/api/v1/contacts/\(contact)",
                token: agent, method: .patch)
            #expect(patched.status == .ok)

            let shared = try await client.post(
                APIBody.json([
                    "shortcut": "/refund", "body": "Hi {{contact.name|there}}, refund for {{contact.order}}. — {{agent.name}}",
                    "shared": true,
                ]),
                to: "/api/v1/canned-replies", token: agent)
            #expect(shared.status == .forbidden, "agents keep only their own")
            #expect(
                try await client.post(
                    APIBody.json([
                        "shortcut": "refund", "body": "Hi {{contact.name|there}}, refund for {{contact.order}}.", "shared": true,
                    ]),
                    to: "/api/v1/canned-replies", token: owner
                ).status == .created)
            let mine = try await client.post(
                APIBody.json(["shortcut": "hello", "body": "Hello {{ contact.email | friend }}!"]), to: "/api/v1/canned-replies",
                token: agent)
            #expect(mine.status == .created)
            let mineID = try #require((try mine.json() as? [String: Any])?["id"] as? String)
            #expect(
                try await client.post(
                    APIBody.json(["shortcut": "HELLO", "body": "again"]), to: "/api/v1/canned-replies", token: agent
                ).status == .conflict)

            let listed = try #require(
                try await client.get("/api/v1/canned-replies?conversation=\(conversation)", token: agent).json()
                    as? [String: Any])
            let replies = try #require(listed["data"] as? [[String: Any]])
            #expect(replies.map { $0["shortcut"] as? String } == ["hello", "refund"])
            #expect(replies[0]["rendered"] as? String == "Hello friend!")
            #expect(replies[1]["rendered"] as? String == "Hi Ada, refund for A-1001.")
            let filtered = try #require(
                try await client.get("/api/v1/canned-replies?prefix=re", token: agent).json() as? [String: Any])
            #expect((filtered["data"] as? [[String: Any]])?.count == 1)

            // Another agent neither sees nor changes it.
            let theirs = try #require(try await client.get("/api/v1/canned-replies", token: other).json() as? [String: Any])
            #expect((theirs["data"] as? [[String: Any]])?.map { $0["shortcut"] as? String } == ["refund"])
            #expect(
                try await client.post(
                    APIBody.json(["body": "x"]), to: "/api/v1/canned-replies/\(mineID)", token: other, method: .patch
                ).status == .notFound)
            let deleted = try await client.execute(
                uri: "/api/v1/canned-replies/\(mineID)", method: .delete, headers: [.authorization: "Bearer \(agent)"])
            #expect(deleted.status == .noContent)
            customer.close()
        }
    }

    @Test(arguments: TestDatabase.all)
    func sensitiveWordsFlagIncomingMaskAndBlockOutgoingInEveryForm(_ db: TestDatabase) async throws {
        try await TestApp.run(db, live: true) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            for (word, action) in [("发货", "flag"), ("VIP", "mask"), ("微信", "block")] {
                let added = try await client.post(
                    APIBody.json(["word": word, "action": action]), to: "/api/v1/sensitive-words", token: owner)
                #expect(added.status == .created)
            }
            #expect(
                try await client.post(
                    APIBody.json(["word": "ｖｉｐ", "action": "flag"]), to: "/api/v1/sensitive-words", token: owner
                )
                .status == .conflict, "full-width is the same word")
            #expect(
                try await client.post(APIBody.json(["word": "x", "action": "flag"]), to: "/api/v1/sensitive-words", token: agent)
                    .status == .forbidden)

            // Traditional characters, full-width letters and spaces between do not hide a word.
            var (conversation, customer) = try await customerSays("什麼時候發 貨？我是ＶＩＰ", app: app, client: client)
            let incoming = try #require(try await messages(client, conversation, token: agent).first)
            #expect(incoming["flags"] as? [String] == ["发货", "VIP"])
            #expect(incoming["text"] as? String == "什麼時候發 貨？我是ＶＩＰ", "customers' words are kept as written")

            let masked = try await client.post(
                APIBody.json(["text": "As a vip you get it free; VIPs too", "client_id": "a-1"]),
                to: "/api/v1/conversations/\(conversation)/messages", token: agent)
            #expect(masked.status == .created)
            let stored = try #require(try masked.json() as? [String: Any])
            #expect(stored["text"] as? String == "As a *** you get it free; VIPs too")
            #expect(stored["flags"] as? [String] == ["VIP"])

            let blocked = try await client.post(
                APIBody.json(["text": "加我微信聊", "client_id": "a-2"]), to: "/api/v1/conversations/\(conversation)/messages",
                token: agent)
            #expect(blocked.status == .unprocessableContent)
            #expect(String(buffer: blocked.body).contains("微信"))
            // A private note between agents is not filtered.
            let note = try await client.post(
                APIBody.json(["text": "customer asked for 微信", "client_id": "a-3", "private": true]),
                to: "/api/v1/conversations/\(conversation)/messages", token: agent)
            #expect(note.status == .created)
            #expect(try await messages(client, conversation, token: agent).count == 3, "the refused message was not stored")
            // The customer gets the masked text and never the flags.
            var reply: [String: Any] = [:]
            while (reply["sender"] as? String) != "agent" {
                reply = try #require(try await customer.next("message")["message"] as? [String: Any])
            }
            #expect(reply["text"] as? String == "As a *** you get it free; VIPs too")
            #expect(reply["flags"] == nil)
            customer.close()
        }
    }

    @Test(arguments: TestDatabase.all)
    func searchFindsChineseAndEnglishMessagesOfTheCallersWorkspaceOnly(_ db: TestDatabase) async throws {
        try await TestApp.run(db, live: true) { app, client in
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let outsider = try await app.member("agent@other.example", workspace: "other-shop", role: .agent, client: client)
            let (refund, a) = try await customerSays("我想申請退款，訂單還沒到", app: app, client: client)
            let (parcel, b) = try await customerSays("Where are my parcels? Order 123456", app: app, client: client)
            let (_, c) = try await customerSays("我也想退款", app: app, client: client, workspace: "other-shop")

            func hits(_ query: String, token: String) async throws -> [String] {
                let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
                let response = try await client.get("/api/v1/search/messages?q=\(encoded)", token: token)
                #expect(response.status == .ok, "\(query): \(String(buffer: response.body))")
                let data = (try response.json() as? [String: Any])?["data"] as? [[String: Any]] ?? []
                return data.compactMap { ($0["conversation"] as? [String: Any])?["id"] as? String }
            }
            #expect(try await hits("退款", token: agent) == [refund], "simplified finds traditional")
            #expect(try await hits("訂單", token: agent) == [refund])
            #expect(try await hits("parcel", token: agent) == [parcel], "stemmed")
            #expect(try await hits("ORDER 123456", token: agent) == [parcel])
            #expect(try await hits("退款 parcel", token: agent).isEmpty, "every term must match")
            #expect(try await hits("退", token: agent) == [refund], "one character")
            #expect(try await hits("退款", token: outsider).count == 1, "the other shop sees only its own")
            #expect(try await hits("parcel", token: outsider).isEmpty)
            let blank = try await client.get("/api/v1/search/messages?q=%20", token: agent)
            #expect(blank.status == .badRequest || blank.status == .unprocessableContent)
            for socket in [a, b, c] { socket.close() }
        }
    }

    @Test(arguments: TestDatabase.all)
    func contactsAreEditedAndMergedWithTheirConversations(_ db: TestDatabase) async throws {
        try await TestApp.run(db, live: true) { app, client in
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let lead = try await app.member("lead@shop.example", workspace: "tea-shop", role: .supervisor, client: client)
            let (first, a) = try await customerSays("from my phone", app: app, client: client)
            let (second, b) = try await customerSays("from my laptop", app: app, client: client)
            func contactOf(_ conversation: String) async throws -> String {
                let detail = try await client.get("/api/v1/conversations/\(conversation)", token: agent).json() as? [String: Any]
                return try #require((detail?["conversation"] as? [String: Any])?["contact_id"] as? String)
            }
            let phoneContact = try await contactOf(first)
            let laptopContact = try await contactOf(second)
            let edit = try await client.post(
                APIBody.json(["email": "Ada@Example.com", "phone": "+86 138 0000 0000", "attributes": ["plan": "gold"]]),
                to: "/api/v1/contacts/\(phoneContact)", token: agent, method: .patch)
            #expect(edit.status == .ok)
            #expect((try edit.json() as? [String: Any])?["email"] as? String == "ada@example.com")
            let taken = try await client.post(
                APIBody.json(["email": "ada@example.com"]), to: "/api/v1/contacts/\(laptopContact)", token: agent, method: .patch)
            #expect(taken.status == .conflict)
            let badPhone = try await client.post(
                APIBody.json(["phone": "call me"]), to: "/api/v1/contacts/\(laptopContact)", token: agent, method: .patch)
            #expect(badPhone.status == .badRequest || badPhone.status == .unprocessableContent)

            let found = try #require(try await client.get("/api/v1/contacts?q=ADA", token: agent).json() as? [String: Any])
            #expect((found["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [phoneContact])
            let wildcard = try #require(try await client.get("/api/v1/contacts?q=_", token: agent).json() as? [String: Any])
            #expect((wildcard["data"] as? [[String: Any]])?.isEmpty == true, "_ is a character, not a wildcard")

            // Only supervisors and up merge: a merge gives one contact's widget sessions the other's conversations.
            let refused = try await client.post(
                APIBody.json(["source_id": laptopContact]), to: "/api/v1/contacts/\(phoneContact)/merge", token: agent)
            #expect(refused.status == .forbidden)
            let merged = try await client.post(
                APIBody.json(["source_id": laptopContact]), to: "/api/v1/contacts/\(phoneContact)/merge", token: lead)
            #expect(merged.status == .ok)
            let detail = try #require(
                try await client.get("/api/v1/contacts/\(phoneContact)", token: agent).json() as? [String: Any])
            let ids = Set((detail["conversations"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? [])
            #expect(ids == [first, second])
            // The merged-away contact answers as the one it joined.
            let old = try #require(
                try await client.get("/api/v1/contacts/\(laptopContact)", token: agent).json() as? [String: Any])
            #expect((old["contact"] as? [String: Any])?["id"] as? String == phoneContact)
            let again = try await client.post(
                APIBody.json(["source_id": laptopContact]), to: "/api/v1/contacts/\(phoneContact)/merge", token: lead)
            #expect(again.status == .conflict)

            // A customer whose only conversation belongs to another team is not the agent's to see or change.
            let (elsewhere, c) = try await customerSays("private matter", app: app, client: client)
            let hidden = try await contactOf(elsewhere)
            let data = try await app.dependencies.store.unscoped.workspaces.workspace(slug: "tea-shop").map {
                app.dependencies.store.scoped(to: $0.id)
            }
            let team = try #require(try await data?.teams.create(name: "VIP desk", at: Date()))
            _ = try await data?.conversations.update(
                try #require(ConversationID(elsewhere)), ConversationChange(team: .some(team.id)), at: Date())
            #expect(try await client.get("/api/v1/contacts/\(hidden)", token: agent).status == .notFound)
            #expect(
                try await client.post(
                    APIBody.json(["name": "x"]), to: "/api/v1/contacts/\(hidden)", token: agent, method: .patch
                ).status == .notFound)
            #expect(try await client.get("/api/v1/contacts/\(hidden)", token: lead).status == .ok)
            func listed(_ token: String) async throws -> Set<String> {
                let page = try await client.get("/api/v1/contacts", token: token).json() as? [String: Any]
                return Set((page?["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? [])
            }
            #expect(try await listed(agent) == [phoneContact])
            #expect(try await listed(lead) == [phoneContact, hidden])
            for socket in [a, b, c] { socket.close() }
        }
    }

    @Test func presenceFollowsTheConsoleAndTheAgentsChoice() async throws {
        try await TestApp.run(.sqlite, live: true) { app, client in
            let watcher = try await app.member("lead@shop.example", workspace: "tea-shop", role: .supervisor, client: client)
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let me = try await client.get("/api/v1/me", token: agent).json() as? [String: Any]
            let agentID = try #require((me?["user"] as? [String: Any])?["id"] as? String)
            func status(_: String) async throws -> String? {
                let list = try await client.get("/api/v1/presence", token: watcher).json() as? [String: Any]
                return (list?["data"] as? [[String: Any]])?.first { $0["user_id"] as? String == agentID }?["status"] as? String
            }
            var lead = try await TestSocket.agent(client, token: watcher)
            #expect(try await status("agent") == "offline")
            var console = try await TestSocket.agent(client, token: agent)
            #expect(try await lead.next("presence")["status"] as? String == "online")
            #expect(try await status("agent") == "online")
            console.send(["type": "presence", "status": "away"])
            #expect(try await lead.next("presence")["status"] as? String == "away")
            #expect(try await status("agent") == "away")
            console.send(["type": "presence", "status": "asleep"])
            #expect(try await console.next("error")["code"] as? String == "validation_failed")
            console.close()
            #expect(try await lead.next("presence")["status"] as? String == "offline")
            lead.close()
        }
    }
}
