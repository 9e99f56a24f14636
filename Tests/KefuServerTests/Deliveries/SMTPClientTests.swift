import Foundation
import KefuCore
import Testing

@testable import KefuServer

/// The SMTP client against a real SMTP server (aiosmtpd): plain, STARTTLS with AUTH, implicit TLS; refusals are
/// permanent or transient by their code; Chinese text arrives intact; nothing a customer typed adds a header.
@Suite(.timeLimit(.minutes(10))) struct SMTPClientTests {
    static func message(subject: String, text: String, fromName: String? = "Tea Shop 茶铺", to: String = "buyer@example.com")
        -> MailMessage
    {
        var message = MailMessage(
            from: MailAddress(name: fromName, address: "support@tea.example"), to: MailAddress(name: nil, address: to),
            subject: subject, content: MailContent(text: text, html: "<p>" + HTMLEscaping.escape(text) + "</p>"),
            messageID: "kefu.\(UUID())@tea.example", date: Date(timeIntervalSince1970: 1_796_000_000))
        message.inReplyTo = "kefu.first@tea.example"
        message.references = ["kefu.first@tea.example"]
        return message
    }

    /// `=?UTF-8?B?…?=` words decoded, as a mail client shows the header.
    static func decoded(_ header: String) -> String {
        var out = ""
        for word in header.split(separator: " ") {
            if word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="),
                let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))
            {
                out += String(decoding: data, as: UTF8.self)
            } else {
                out += (out.isEmpty ? "" : " ") + word
            }
        }
        return out
    }

    @Test func aChineseMailArrivesIntactWithItsThreadingHeaders() async throws {
        let sink = try MailSink()
        defer { sink.stop() }
        let subject = "[茶铺 #42] 我的订单还没有到，请帮我查一下物流信息，谢谢！这是一个很长的标题，需要分成几个编码词"
        let text = "您好，\n.这一行以点开头\n..两个点\n订单已发出。"
        let client = SMTPClient(server: try SMTPServer.parse("smtp://127.0.0.1:\(sink.port)?starttls=never"))
        let message = Self.message(subject: subject, text: text)
        try await client.send(
            SMTPEnvelope(from: "support@tea.example", recipients: ["buyer@example.com"], message: message.rendered()))
        let mail = try #require(try await sink.waitFor(1).first)
        #expect(mail.from == "support@tea.example")
        #expect(mail.to == ["buyer@example.com"])
        #expect(Self.decoded(try #require(mail.header("Subject"))) == subject)
        #expect(mail.header("Message-ID") == "<\(message.messageID)>")
        #expect(mail.header("In-Reply-To") == "<kefu.first@tea.example>")
        #expect(mail.header("References") == "<kefu.first@tea.example>")
        #expect(Self.decoded(try #require(mail.header("From"))).hasPrefix("Tea Shop 茶铺"))
        #expect(mail.part("text/plain") == text)
        #expect(mail.part("text/html")?.contains("订单已发出") == true)
        // Every header line stays within the line limit once folded.
        let head = mail.raw.components(separatedBy: "\r\n\r\n")[0]
        #expect(head.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
    }

    @Test func linesStartingWithADotSurviveTheDataSection() async throws {
        let sink = try MailSink()
        defer { sink.stop() }
        let raw = "Subject: dots\r\nMessage-ID: <d@x>\r\n\r\n.\r\n..\r\n.end\r\nlast line\r\n"
        let client = SMTPClient(server: try SMTPServer.parse("smtp://127.0.0.1:\(sink.port)?starttls=never"))
        try await client.send(SMTPEnvelope(from: "a@tea.example", recipients: ["b@example.com"], message: raw))
        let mail = try #require(try await sink.waitFor(1).first)
        #expect(mail.raw == raw)
        #expect(SMTPClient.dataSection("a\n.b\r\n") == "a\r\n..b\r\n.\r\n")
    }

    @Test func startTLSWithAuthAndImplicitTLSBothDeliver() async throws {
        let secure = try MailSink(.startTLS(user: "kefu", password: "s3cret pass"))
        defer { secure.stop() }
        let url = "smtp://kefu:s3cret%20pass@localhost:\(secure.port)?ca_file=\(secure.caFile)"
        try await SMTPClient(server: try SMTPServer.parse(url)).send(
            SMTPEnvelope(from: "a@tea.example", recipients: ["b@example.com"], message: "Subject: tls\r\n\r\nhi\r\n"))
        let mail = try #require(try await secure.waitFor(1).first)
        #expect(mail.tls)

        // A wrong password is the server's 535: permanent, with its reply.
        let wrong = "smtp://kefu:nope@localhost:\(secure.port)?ca_file=\(secure.caFile)"
        await #expect(throws: SMTPError.self) {
            try await SMTPClient(server: try SMTPServer.parse(wrong)).send(
                SMTPEnvelope(from: "a@tea.example", recipients: ["b@example.com"], message: "Subject: x\r\n\r\nx\r\n"))
        }
        // A certificate nobody vouches for is refused (no ca_file).
        do {
            try await SMTPClient(server: try SMTPServer.parse("smtp://kefu:x@localhost:\(secure.port)")).send(
                SMTPEnvelope(from: "a@tea.example", recipients: ["b@example.com"], message: "Subject: x\r\n\r\nx\r\n"))
            Issue.record("an untrusted certificate was accepted")
        } catch {}
        #expect(secure.mails().count == 1)

        let implicit = try MailSink(.implicitTLS)
        defer { implicit.stop() }
        try await SMTPClient(server: try SMTPServer.parse("smtps://localhost:\(implicit.port)?ca_file=\(implicit.caFile)"))
            .send(SMTPEnvelope(from: "a@tea.example", recipients: ["b@example.com"], message: "Subject: t\r\n\r\nhi\r\n"))
        #expect(try await implicit.waitFor(1).first?.tls == true)
    }

    @Test func refusalsArePermanentOrTransientByTheirCode() async throws {
        let envelope = SMTPEnvelope(from: "a@tea.example", recipients: ["b@example.com"], message: "Subject: x\r\n\r\nx\r\n")
        let refusing = try MailSink(.reply(550))
        defer { refusing.stop() }
        do {
            try await SMTPClient(server: try SMTPServer.parse("smtp://127.0.0.1:\(refusing.port)?starttls=never")).send(envelope)
            Issue.record("a 550 was taken as delivered")
        } catch SMTPError.permanent(let text) {
            #expect(text.contains("550"))
        }
        let busy = try MailSink(.reply(451))
        defer { busy.stop() }
        do {
            try await SMTPClient(server: try SMTPServer.parse("smtp://127.0.0.1:\(busy.port)?starttls=never")).send(envelope)
            Issue.record("a 451 was taken as delivered")
        } catch SMTPError.transient(let text) {
            #expect(text.contains("451"))
        }
        // Nobody listening: transient.
        let closedPort = busy.port
        busy.stop()
        do {
            try await SMTPClient(server: try SMTPServer.parse("smtp://127.0.0.1:\(closedPort)?starttls=never")).send(envelope)
            Issue.record("an unreachable server was taken as delivered")
        } catch SMTPError.transient {}
        // A password is never sent to a server that offers no STARTTLS.
        let plain = try MailSink()
        defer { plain.stop() }
        do {
            try await SMTPClient(server: try SMTPServer.parse("smtp://u:p@127.0.0.1:\(plain.port)")).send(envelope)
            Issue.record("a password went out in clear text")
        } catch SMTPError.permanent(let text) {
            #expect(text.contains("STARTTLS"))
        }
    }

    @Test func nothingACustomerTypesAddsAHeaderOrAnEnvelopeCommand() async throws {
        let sink = try MailSink()
        defer { sink.stop() }
        let client = SMTPClient(server: try SMTPServer.parse("smtp://127.0.0.1:\(sink.port)?starttls=never"))
        let message = Self.message(
            subject: "Hello\r\nBcc: victim@evil.example\r\nX-Injected: 1", text: "body", fromName: "Shop\r\nBcc: x@evil.example")
        try await client.send(
            SMTPEnvelope(from: "support@tea.example", recipients: ["buyer@example.com"], message: message.rendered()))
        let mail = try #require(try await sink.waitFor(1).first)
        #expect(mail.header("Bcc") == nil)
        #expect(mail.header("X-Injected") == nil)
        #expect(mail.to == ["buyer@example.com"])
        for address in ["a@b.cn\r\nRCPT TO:<evil@x.cn>", "a b@c.cn", "<a@b.cn>", "", "no-at-sign"] {
            await #expect(throws: SMTPError.self) {
                try await client.send(SMTPEnvelope(from: "support@tea.example", recipients: [address], message: "x"))
            }
        }
        #expect(sink.mails().count == 1)
    }

    @Test func badServerURLsAreRefusedWithoutRepeatingThePassword() throws {
        for bad in [
            "http://host", "smtp://", "smtp://host:0", "smtp://host:70000", "smtp://user@host", "smtp://host?starttls=maybe",
            "smtps://host?starttls=never", "smtp://u:topsecret@host?starttls=never", "smtp://host?colour=blue", "not a url",
        ] {
            do {
                _ = try SMTPServer.parse(bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(!"\(error)".contains("topsecret"))
            }
        }
        let good = try SMTPServer.parse("smtps://me%40shop.example:p%40ss@mail.shop.example")
        #expect(
            good.port == 465 && good.security == .implicitTLS && good.username == "me@shop.example" && good.password == "p@ss")
        #expect(!good.redacted.contains("p@ss"))
        #expect(try SMTPServer.parse("smtp://relay").port == 587)
    }
}
