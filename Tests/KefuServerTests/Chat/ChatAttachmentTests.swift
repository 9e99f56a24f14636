import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuCore
import KefuStore
import KefuTestSupport
import NIOCore
import Testing

@testable import KefuServer

/// Files in chat: one upload is one message, the type is sniffed (never trusted), limits give 413/415, resends are
/// stored once, and a file's address works only exactly as issued.
@Suite(.timeLimit(.minutes(30))) struct ChatAttachmentTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64)

    private func upload(
        _ client: any TestClientProtocol, _ uri: String, _ bytes: [UInt8], headers: HTTPFields, contentType: String = "image/png"
    ) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = contentType
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: bytes))
    }

    private func conversation(_ app: TestApp, workspace: String) async throws -> ConversationID {
        let data = app.dependencies.store.scoped(to: try await app.workspaceID(workspace))
        let contact = try await data.contacts.create(name: "Li", at: Date())
        return try await data.conversations.start(contact: contact.id, status: .open, locale: .zhCN, team: nil, at: Date()).id
    }

    @Test(arguments: TestDatabase.all)
    func anAgentsImageIsOneMessageServedAsSniffedAndStoredOnce(_ db: TestDatabase) async throws {
        try await TestApp.run(db) { app, client in
            let token = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let id = try await conversation(app, workspace: "tea-shop")
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            let uri = "/api/v1/conversations/\(id)/attachments?name=..%2F..%2Fphoto%3Cb%3E.png&client_id=u-1"
            // The client says text/html; the bytes say PNG, and the bytes win.
            let first = try await upload(client, uri, Self.png, headers: auth, contentType: "text/html")
            #expect(first.status == .created)
            let message = try #require(try first.json() as? [String: Any])
            #expect(message["kind"] as? String == "image")
            let file = try #require(message["attachment"] as? [String: Any])
            #expect(file["name"] as? String == "photo<b>.png", "directories dropped, the rest kept as text")
            #expect(file["content_type"] as? String == "image/png")
            #expect(file["size"] as? Int == Self.png.count)

            let again = try await upload(client, uri, Self.png, headers: auth)
            #expect(again.status == .ok, "a resend with the same client id is the stored message")
            #expect((try again.json() as? [String: Any])?["id"] as? String == message["id"] as? String)
            let stored = try FileManager.default.subpathsOfDirectory(
                atPath: app.dependencies.config.dataDirectory + "/attachments"
            ).filter { !$0.hasSuffix("/") && $0.contains("/") }
            #expect(stored.count == 1, "the resend's file is not kept")

            let url = try #require(file["url"] as? String)
            let served = try await client.execute(uri: url, method: .get)
            #expect(served.status == .ok)
            #expect(served.headers[.contentType] == "image/png")
            #expect(served.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(served.headers[.contentDisposition]?.hasPrefix("inline") == true)
            #expect(Array(served.body.readableBytesView) == Self.png)
            let guessed = try await client.execute(uri: String(url.dropLast(4)) + "0000", method: .get)
            #expect(guessed.status == .notFound)

            let transcript = try #require(
                try await client.get("/api/v1/conversations/\(id)/messages", token: token).json() as? [String: Any])
            let listed = try #require((transcript["messages"] as? [[String: Any]])?.first)
            #expect((listed["attachment"] as? [String: Any])?["url"] as? String == url)
        }
    }

    @Test func forbiddenTypesOversizedFilesAndNamelessUploadsAreRefusedAndChangeNothing() async throws {
        try await TestApp.run(.sqlite, configure: { $0.maxAttachmentBytes = 2048 }) { app, client in
            let token = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let id = try await conversation(app, workspace: "tea-shop")
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            let uri = "/api/v1/conversations/\(id)/attachments?name=x.bin"
            let elf = try await upload(client, uri, [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0], headers: auth)
            #expect(elf.status == .unsupportedMediaType)
            let page = try await upload(client, uri, Array("<!DOCTYPE html><script>alert(1)</script>".utf8), headers: auth)
            #expect(page.status == .unsupportedMediaType, "markup is not plain text")
            let big = try await upload(client, uri, Self.png + Array(repeating: 0, count: 4096), headers: auth)
            #expect(big.status == .contentTooLarge)
            let nameless = try await upload(
                client, "/api/v1/conversations/\(id)/attachments?name=%2F%2F", Self.png, headers: auth)
            #expect(nameless.status == .unprocessableContent)
            let foreign = try await upload(
                client, "/api/v1/conversations/\(UUID())/attachments?name=a.png", Self.png, headers: auth)
            #expect(foreign.status == .notFound)
            let messages = try #require(
                try await client.get("/api/v1/conversations/\(id)/messages", token: token).json() as? [String: Any])
            #expect((messages["messages"] as? [Any])?.isEmpty == true)
            let root = app.dependencies.config.dataDirectory + "/attachments"
            let files = (try? FileManager.default.subpathsOfDirectory(atPath: root)) ?? []
            #expect(files.allSatisfy { !$0.contains("/") }, "no file left behind: \(files)")
        }
    }

    @Test func aVisitorUploadsIntoTheirOwnConversationOnlyAndTheAgentSeesItLive() async throws {
        try await TestApp.run(.sqlite, live: true) { app, client in
            let token = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let key = try #require(try await app.dependencies.store.unscoped.workspaces.workspace(slug: "tea-shop")?.widgetKey)
            var customer = try TestSocket.open(port: client.port, path: "/ws/v1/widget")
            customer.send(["type": "hello", "v": 1, "widget_key": key])
            let visitorToken = try #require(try await customer.next("welcome")["visitor_token"] as? String)
            customer.send(["type": "send", "id": "c-1", "text": "看图"])
            let conversation = try #require(try await customer.next("ack")["conversation"] as? String)
            var agent = try TestSocket.open(
                port: client.port, path: "/ws/v1/agent", headers: [.authorization: "Bearer \(token)"])
            agent.send(["type": "hello", "v": 1])
            _ = try await agent.next("welcome")
            agent.send(["type": "subscribe", "conversation": conversation, "last_seq": 1])
            _ = try await agent.next("synced")

            let uri = "/api/v1/widget/\(key)/attachments?name=receipt.png&client_id=f-1&conversation=\(conversation)"
            let sent = try await upload(client, uri, Self.png, headers: [.kefuVisitor: visitorToken])
            #expect(sent.status == .created, "\(String(buffer: sent.body))")
            #expect(sent.headers[.accessControlAllowOrigin] == "*")
            let live = try #require(try await agent.next("message")["message"] as? [String: Any])
            #expect((live["attachment"] as? [String: Any])?["name"] as? String == "receipt.png")
            #expect(try await customer.next("message")["seq"] as? Int == 2)

            let anonymous = try await upload(client, uri, Self.png, headers: [:])
            #expect(anonymous.status == .unauthorized)
            let forged = try await upload(client, uri, Self.png, headers: [.kefuVisitor: visitorToken + "0"])
            #expect(forged.status == .unauthorized)
            // Another visitor of the same shop cannot post into this conversation.
            var other = try TestSocket.open(port: client.port, path: "/ws/v1/widget")
            other.send(["type": "hello", "v": 1, "widget_key": key])
            let otherToken = try #require(try await other.next("welcome")["visitor_token"] as? String)
            let intruding = try await upload(
                client, "/api/v1/widget/\(key)/attachments?name=x.png&client_id=f-2&conversation=\(conversation)", Self.png,
                headers: [.kefuVisitor: otherToken])
            #expect(intruding.status == .notFound)
            let preflight = try await client.execute(uri: uri, method: .options, headers: [:])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("X-Kefu-Visitor") == true)
            customer.close()
            agent.close()
            other.close()
        }
    }

    /// A client id is the sender's own: a customer who reuses an agent's id gets a message of their own (never the
    /// agent's private note back), and a customer who takes an id first does not make the agent's reply vanish.
    @Test(arguments: TestDatabase.all)
    func aClientIDBelongsToItsSender(_ db: TestDatabase) async throws {
        try await TestApp.run(db, live: true) { app, client in
            let token = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let key = try await TestSocket.widgetKey(app, "tea-shop")
            var customer = try TestSocket.open(port: client.port, path: "/ws/v1/widget")
            customer.send(["type": "hello", "v": 1, "widget_key": key])
            let visitorToken = try #require(try await customer.next("welcome")["visitor_token"] as? String)
            customer.send(["type": "send", "id": "taken-first", "text": "你好"])
            let conversation = try #require(try await customer.next("ack")["conversation"] as? String)
            let messages = "/api/v1/conversations/\(conversation)/messages"

            let note = try await client.post(
                APIBody.json(["text": "VIP, refund secretly", "client_id": "n-1", "private": true]), to: messages, token: token)
            #expect(note.status == .created, "\(String(buffer: note.body))")
            let uri = "/api/v1/widget/\(key)/attachments?name=r.png&client_id=n-1&conversation=\(conversation)"
            let upload = try await upload(client, uri, Self.png, headers: [.kefuVisitor: visitorToken])
            #expect(upload.status == .created, "the customer's own new message, not a duplicate")
            #expect(!String(buffer: upload.body).contains("refund secretly"))
            #expect((try upload.json() as? [String: Any])?["sender"] as? String == "customer")

            let reply = try await client.post(
                APIBody.json(["text": "We are on it", "client_id": "taken-first"]), to: messages, token: token)
            #expect(reply.status == .created, "the agent's reply is stored, not taken for the customer's message")
            let again = try await client.post(
                APIBody.json(["text": "We are on it", "client_id": "taken-first"]), to: messages, token: token)
            #expect(again.status == .ok, "the agent's own resend is still a duplicate")
            let transcript = try #require(
                try await client.get(messages, token: token).json() as? [String: Any])
            let bodies = (transcript["messages"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            #expect(bodies.filter { $0 == "We are on it" }.count == 1)
            #expect(bodies.contains("VIP, refund secretly") && bodies.contains("你好"))
            customer.close()
        }
    }

    /// Twenty visitors uploading at the same moment (each a token check, a new conversation, a file and a message) all
    /// get their file stored: every write on the widget's path queues at the SQLite write gate instead of meeting a
    /// locked database.
    @Test func twentyVisitorsUploadingAtOnceAllSucceed() async throws {
        try await TestApp.run(.sqlite) { app, client in
            _ = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let key = try await TestSocket.widgetKey(app, "tea-shop")
            let data = app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop"))
            var tokens: [String] = []
            for _ in 0..<20 {
                let (visitor, token) = try await app.dependencies.conversations.visitor(widgetKey: key, token: nil)
                // Seen long ago: the next token check writes the contact's last-seen time.
                try await data.transaction { tx in
                    try await tx.contacts.touch(visitor.contactID, at: Date(timeIntervalSince1970: 1_700_000_000))
                }
                tokens.append(token)
            }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for (index, token) in tokens.enumerated() {
                    group.addTask {
                        let uri = "/api/v1/widget/\(key)/attachments?name=r\(index).png&client_id=f-\(index)"
                        return Int(try await upload(client, uri, Self.png, headers: [.kefuVisitor: token]).status.code)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.sorted() == Array(repeating: 201, count: 20), "\(statuses.sorted())")
            #expect(try await data.conversations.conversations(ConversationFilter(), limit: 100).count == 20)

            // A writer holding the database longer than SQLite's own wait (5 s): the upload queues behind it at the gate
            // and is stored once it is done, where an ungated write would have failed as "database is locked".
            let late = tokens[0]
            let (visitor, _) = try await app.dependencies.conversations.visitor(widgetKey: key, token: late)
            try await data.transaction { tx in
                try await tx.contacts.touch(visitor.contactID, at: Date(timeIntervalSince1970: 1_700_000_000))
            }
            let (began, holding) = AsyncStream.makeStream(of: Void.self)
            async let held: Void = data.transaction { tx in
                try await tx.contacts.touch(visitor.contactID, at: Date(timeIntervalSince1970: 1_700_000_000))
                holding.yield()
                try await Task.sleep(for: .milliseconds(5_500))
            }
            for await _ in began { break }
            let queued = try await upload(
                client, "/api/v1/widget/\(key)/attachments?name=late.png&client_id=late", Self.png, headers: [.kefuVisitor: late])
            try await held
            #expect(queued.status == .created, "\(String(buffer: queued.body))")
        }
    }

    /// An anonymous visitor cannot fill the disk: bytes per contact (and address) per minute, a storage quota per
    /// workspace, and the same file sent again into a conversation is stored once.
    @Test(arguments: TestDatabase.all)
    func visitorsUploadsAreLimitedByRateQuotaAndStoredOnce(_ db: TestDatabase) async throws {
        try await TestApp.run(
            db,
            configure: {
                $0.maxAttachmentBytes = 2048
                $0.maxUploadBytesPerContactPerMinute = 3000
                $0.maxAttachmentStorageBytes = 5000
            }
        ) { app, client in
            _ = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let key = try await TestSocket.widgetKey(app, "tea-shop")
            func file(_ fill: UInt8, _ size: Int) -> [UInt8] {
                Array(Self.png.prefix(8)) + Array(repeating: fill, count: size - 8)
            }
            func send(_ token: String, _ bytes: [UInt8], _ id: String, conversation: String? = nil) async throws -> TestResponse {
                let uri =
                    "/api/v1/widget/\(key)/attachments?name=\(id).png&client_id=\(id)"
                    + (conversation.map { "&conversation=\($0)" } ?? "")
                return try await upload(client, uri, bytes, headers: [.kefuVisitor: token])
            }
            let (_, first) = try await app.dependencies.conversations.visitor(widgetKey: key, token: nil)
            let sent = try await send(first, file(1, 1500), "a")
            #expect(sent.status == .created)
            let conversation = try #require((try sent.json() as? [String: Any])?["conversation_id"] as? String)
            // The same bytes again, as another message: a second row, no second file, nothing charged to the quota.
            let again = try await send(first, file(1, 1500), "b", conversation: conversation)
            #expect(again.status == .created)
            let root = app.dependencies.config.dataDirectory + "/attachments"
            func filesOnDisk() -> Int {
                ((try? FileManager.default.subpathsOfDirectory(atPath: root)) ?? []).filter { $0.contains("/") }.count
            }
            #expect(filesOnDisk() == 1)
            // The contact's allowance (3,000 bytes a minute) is spent: 429 with a time to wait, nothing stored.
            let limited = try await send(first, file(2, 1500), "c", conversation: conversation)
            #expect(limited.status == .tooManyRequests && limited.errorCode == "rate_limited")
            #expect(limited.headers[.retryAfter].flatMap(Int.init).map { $0 >= 1 } == true)
            // Readable from the shop's own site, where the widget runs.
            #expect(limited.headers[.accessControlAllowOrigin] == "*")
            #expect(limited.headers[.accessControlExposeHeaders] == "Retry-After")
            #expect(filesOnDisk() == 1)
            // Another visitor fills the workspace's quota (5,000 bytes): past it, 507 storage_full.
            let (_, second) = try await app.dependencies.conversations.visitor(widgetKey: key, token: nil)
            #expect(try await send(second, file(3, 2000), "d").status == .created)
            let (_, third) = try await app.dependencies.conversations.visitor(widgetKey: key, token: nil)
            let full = try await send(third, file(4, 2000), "e")
            #expect(full.status.code == 507 && full.errorCode == "storage_full", "\(String(buffer: full.body))")
            #expect(filesOnDisk() == 2)
        }
    }

    @Test func sniffingReadsTheBytesAndFileNamesAreCleaned() {
        #expect(ContentSniffer.contentType(of: Array("GIF89a....".utf8)) == "image/gif")
        #expect(ContentSniffer.contentType(of: Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)) == "image/webp")
        #expect(ContentSniffer.contentType(of: Array("%PDF-1.7".utf8)) == "application/pdf")
        #expect(ContentSniffer.contentType(of: Array("订单号 123456\n谢谢".utf8)) == "text/plain; charset=utf-8")
        #expect(ContentSniffer.contentType(of: Array("  <svg onload=alert(1)>".utf8)) == nil)
        #expect(ContentSniffer.contentType(of: [0x00, 0x01, 0x02]) == nil)
        #expect(AttachmentFiles.cleanName("C:\\Users\\me\\发票.pdf") == "发票.pdf")
        #expect(AttachmentFiles.cleanName("a\u{0}b\nc.txt") == "abc.txt")
        #expect(AttachmentFiles.cleanName("..") == "")
        #expect(AttachmentFiles.cleanName("invoice\u{202E}gnp.exe") == "invoicegnp.exe", "no bidi overrides")
        #expect(AttachmentFiles.cleanName("a\u{85}b\u{9F}c\u{2066}d.pdf") == "abcd.pdf", "no C1 controls or isolates")
    }
}
