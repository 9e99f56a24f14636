import Foundation
import HTTPTypes
import HummingbirdTesting
import KefuCore
import NIOCore
import Testing

@testable import KefuServer

/// One filter on every text a customer or an agent publishes: ticket subjects, bodies, public replies and file names
/// are masked or refused like chat messages when an agent writes them, and flagged when a customer does.
@Suite(.timeLimit(.minutes(30))) struct SensitiveWordCoverageTests {
    @Test func ticketsAndFileNamesPassTheSameWordList() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            for (word, action) in [("加微信", "mask"), ("私下转账", "block"), ("差评", "flag")] {
                let added = try await client.post(
                    APIBody.json(["word": word, "action": action]), to: "/api/v1/sensitive-words", token: owner)
                #expect(added.status == .created)
            }
            // A customer's request through the help center: kept as written, flagged for agents.
            let filed = try await client.execute(
                uri: "/api/v1/portal/tea-shop/tickets", method: .post, headers: [.contentType: "application/json"],
                body: APIBody.json(["subject": "给差评", "body": "不退款就给差评", "email": "li@customer.example"]))
            #expect(filed.status == .created)
            let request = try #require(try filed.json() as? [String: Any])
            let data = app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop"))
            let number = try #require(request["number"] as? Int)
            let ticketID = try #require(try await data.tickets.ticket(number: number)?.ticket.id.description)
            let statusToken = try #require((request["status_url"] as? String)?.split(separator: "/").last)
            let detail = try #require(try await client.get("/api/v1/tickets/\(ticketID)", token: agent).json() as? [String: Any])
            #expect(detail["subject"] as? String == "给差评")
            let created = try #require((detail["events"] as? [[String: Any]])?.first)
            #expect(String(describing: created).contains("差评"), "the created line names the flagged word: \(created)")

            // An agent's public reply and a new subject: masked, so the requester never reads the word.
            let reply = try await client.post(
                APIBody.json(["body": "请加微信 abc123 联系", "public": true]), to: "/api/v1/tickets/\(ticketID)/comments",
                token: agent)
            #expect(reply.status == .created, "\(String(buffer: reply.body))")
            let renamed = try await client.post(
                APIBody.json(["subject": "加微信处理"]), to: "/api/v1/tickets/\(ticketID)", token: agent, method: .patch)
            #expect(renamed.status == .ok)
            let status = String(buffer: try await client.get("/api/v1/portal/tea-shop/tickets/\(statusToken)").body)
            #expect(!status.contains("加微信"), "\(status)")
            #expect(status.contains("***"))
            // A blocked word refuses the reply, the subject and a new ticket, naming the field, and changes nothing.
            let refused = try await client.post(
                APIBody.json(["body": "可以私下转账", "public": true]), to: "/api/v1/tickets/\(ticketID)/comments", token: agent)
            #expect(refused.status == .unprocessableContent)
            let blockedSubject = try await client.post(
                APIBody.json(["subject": "私下转账"]), to: "/api/v1/tickets/\(ticketID)", token: agent, method: .patch)
            #expect(blockedSubject.status == .unprocessableContent)
            #expect(String(buffer: blockedSubject.body).contains("subject"))
            let blockedTicket = try await client.post(
                APIBody.json(["subject": "退款", "body": "私下转账给你", "requester_email": "li@customer.example"]),
                to: "/api/v1/tickets", token: agent)
            #expect(blockedTicket.status == .unprocessableContent)
            // An internal note is not published: kept as written.
            let note = try await client.post(
                APIBody.json(["body": "客户要求加微信", "public": false]), to: "/api/v1/tickets/\(ticketID)/comments",
                token: agent)
            #expect(note.status == .created)
            #expect(String(buffer: note.body).contains("加微信"))

            // A file an agent shares carries its name to the customer: masked too.
            let contact = try await data.contacts.create(name: "Li", at: Date())
            let conversation = try await data.conversations.start(
                contact: contact.id, status: .open, locale: .zhCN, team: nil, at: Date())
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64)
            let name = "加微信.png".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let shared = try await client.execute(
                uri: "/api/v1/conversations/\(conversation.id)/attachments?name=\(name)&client_id=u-1", method: .post,
                headers: [.authorization: "Bearer \(agent)", .contentType: "image/png"], body: ByteBuffer(bytes: png))
            #expect(shared.status == .created, "\(String(buffer: shared.body))")
            let message = try #require(try shared.json() as? [String: Any])
            #expect(message["text"] as? String == "***.png")
            #expect((message["attachment"] as? [String: Any])?["name"] as? String == "***.png")
            #expect(message["flags"] as? [String] == ["加微信"], "agents still see which word it was")
        }
    }
}
