import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// How an SMTP exchange failed: `transient` (unreachable, time-out, a 4xx reply) is worth another try later,
/// `permanent` (a 5xx reply, a refused address) is not. The text carries the server's own reply.
public enum SMTPError: Error, Equatable, CustomStringConvertible {
    case transient(String)
    case permanent(String)

    public var description: String {
        switch self {
        case .transient(let text), .permanent(let text): text
        }
    }
}

/// One mail to hand over: the envelope and the message as written by `MailMessage` (CRLF line ends).
public struct SMTPEnvelope: Sendable {
    public var from: String
    public var recipients: [String]
    public var message: String

    public init(from: String, recipients: [String], message: String) {
        self.from = from
        self.recipients = recipients
        self.message = message
    }
}

/// A small SMTP client (RFC 5321) on SwiftNIO: EHLO, STARTTLS or implicit TLS (swift-nio-ssl, the server's
/// certificate checked against the system's roots and `ca_file`), AUTH PLAIN or LOGIN, MAIL/RCPT/DATA with
/// dot-stuffing, QUIT. One connection per mail; the whole exchange is bounded by `timeout`.
public struct SMTPClient: Sendable {
    public let server: SMTPServer
    public var timeout: TimeAmount = .seconds(60)
    var group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton

    public init(server: SMTPServer, timeout: TimeAmount = .seconds(60)) {
        self.server = server
        self.timeout = timeout
    }

    /// Longest reply line read; a server sending more is cut off.
    static let maxLine = 4096

    public func send(_ envelope: SMTPEnvelope) async throws {
        for address in [envelope.from] + envelope.recipients where !Self.isSafeAddress(address) {
            throw SMTPError.permanent("refused address \(address.debugDescription): not a plain e-mail address")
        }
        guard !envelope.recipients.isEmpty else { throw SMTPError.permanent("no recipient") }
        let tls = try tlsContext()
        let server = self.server
        let channel: NIOAsyncChannel<String, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(min(timeout, .seconds(15)))
                .connect(host: server.host, port: server.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if server.security == .implicitTLS, let tls {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(server.host)))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                        return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPError.transient("cannot connect to \(server.host):\(server.port): \(error)")
        }
        // The deadline closes the connection, which ends any read or write waiting on it.
        let deadline = Task { [timeout] in
            try await Task.sleep(for: .nanoseconds(timeout.nanoseconds))
            try? await channel.channel.close()
            return true
        }
        defer { deadline.cancel() }
        do {
            try await channel.executeThenClose { inbound, outbound in
                var session = SMTPSession(
                    lines: inbound.makeAsyncIterator(), outbound: outbound, channel: channel.channel, server: server, tls: tls)
                try await session.run(envelope)
            }
        } catch let error as SMTPError {
            throw error
        } catch {
            throw SMTPError.transient("\(server.host):\(server.port): \(error)")
        }
    }

    private func tlsContext() throws -> NIOSSLContext? {
        guard server.security != .never else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let file = server.caFile { configuration.additionalTrustRoots = [.file(file)] }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw SMTPError.permanent("cannot set up TLS (ca_file \(server.caFile ?? "-")): \(error)")
        }
    }

    /// SNI takes names, not addresses.
    static func sniName(_ host: String) -> String? {
        host.allSatisfy({ $0.isNumber || $0 == "." }) || host.contains(":") ? nil : host
    }

    /// An address with nothing that could end the command it is written into.
    static func isSafeAddress(_ address: String) -> Bool {
        !address.isEmpty && address.count <= 254 && address.contains("@")
            && address.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) && $0 != "<" && $0 != ">" }
    }

    /// The DATA section: lines that start with a dot get another (RFC 5321 §4.5.2), bare LF become CRLF, and the
    /// section ends with `.`.
    static func dataSection(_ message: String) -> String {
        var out = ""
        out.reserveCapacity(message.utf8.count + 64)
        let normalized = message.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalized.split(separator: "\n", omittingEmptySubsequences: false)
        if normalized.hasSuffix("\n") { lines.removeLast() }
        for line in lines {
            if line.hasPrefix(".") { out += "." }
            out += line
            out += "\r\n"
        }
        return out + ".\r\n"
    }
}

/// One SMTP conversation over an open connection.
struct SMTPSession {
    var lines: NIOAsyncChannelInboundStream<String>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let channel: any Channel
    let server: SMTPServer
    let tls: NIOSSLContext?
    var secure = false

    init(
        lines: NIOAsyncChannelInboundStream<String>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        channel: any Channel, server: SMTPServer, tls: NIOSSLContext?
    ) {
        self.lines = lines
        self.outbound = outbound
        self.channel = channel
        self.server = server
        self.tls = tls
        self.secure = server.security == .implicitTLS
    }

    struct Reply {
        var code: Int
        var lines: [String]
        var text: String { "\(code) " + lines.joined(separator: " / ") }
    }

    mutating func run(_ envelope: SMTPEnvelope) async throws {
        try expect(try await reply(), 220, "greeting")
        var capabilities = try await hello()
        if !secure && server.security != .never {
            if capabilities.contains("STARTTLS") {
                try expect(try await command("STARTTLS"), 220, "STARTTLS")
                try await startTLS()
                capabilities = try await hello()
            } else if server.security == .requireSTARTTLS || server.username != nil {
                throw SMTPError.permanent(
                    "\(server.host) does not offer STARTTLS; refusing to send \(server.username != nil ? "the password" : "mail") in clear text"
                )
            }
        }
        if let user = server.username, let password = server.password {
            try await authenticate(user: user, password: password, capabilities: capabilities)
        }
        try expect(try await command("MAIL FROM:<\(envelope.from)>"), 250, "MAIL FROM")
        for recipient in envelope.recipients {
            let answer = try await command("RCPT TO:<\(recipient)>")
            guard answer.code == 250 || answer.code == 251 else { throw Self.failure(answer, "RCPT TO \(recipient)") }
        }
        try expect(try await command("DATA"), 354, "DATA")
        try await outbound.write(ByteBuffer(string: SMTPClient.dataSection(envelope.message)))
        try expect(try await reply(), 250, "the message")
        // The mail is accepted; a failed goodbye changes nothing.
        _ = try? await command("QUIT")
    }

    /// EHLO, or HELO for a server that does not know it; returns the extensions offered (upper-cased keywords).
    private mutating func hello() async throws -> Set<String> {
        let answer = try await command("EHLO \(server.helo)")
        if answer.code == 250 {
            var offered: Set<String> = []
            for line in answer.lines.dropFirst() {
                let words = line.uppercased().split(separator: " ").map(String.init)
                guard let keyword = words.first else { continue }
                offered.insert(keyword)
                if keyword == "AUTH" { for mechanism in words.dropFirst() { offered.insert("AUTH=" + mechanism) } }
            }
            return offered
        }
        try expect(try await command("HELO \(server.helo)"), 250, "HELO")
        return []
    }

    private mutating func authenticate(user: String, password: String, capabilities: Set<String>) async throws {
        if capabilities.contains("AUTH=PLAIN") || !capabilities.contains("AUTH=LOGIN") {
            let token = Data("\0\(user)\0\(password)".utf8).base64EncodedString()
            try expect(try await command("AUTH PLAIN \(token)"), 235, "AUTH PLAIN")
        } else {
            try expect(try await command("AUTH LOGIN"), 334, "AUTH LOGIN")
            try expect(try await command(Data(user.utf8).base64EncodedString()), 334, "AUTH LOGIN user")
            try expect(try await command(Data(password.utf8).base64EncodedString()), 235, "AUTH LOGIN password")
        }
    }

    private mutating func startTLS() async throws {
        guard let tls else { throw SMTPError.permanent("TLS is off for this server") }
        let host = SMTPClient.sniName(server.host)
        try await channel.eventLoop.submit { [channel] in
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLClientHandler(context: tls, serverHostname: host), position: .first)
        }.get()
        secure = true
    }

    private mutating func command(_ line: String) async throws -> Reply {
        try await outbound.write(ByteBuffer(string: line + "\r\n"))
        return try await reply()
    }

    /// One reply, however many lines (`250-…` continues, `250 …` ends it).
    private mutating func reply() async throws -> Reply {
        var texts: [String] = []
        while true {
            guard let line = try await lines.next() else {
                throw SMTPError.transient(
                    "\(server.host) closed the connection" + (texts.isEmpty ? "" : " after: " + texts.joined(separator: " / ")))
            }
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)) else {
                throw SMTPError.transient("\(server.host) answered something that is not SMTP: \(line.prefix(80))")
            }
            texts.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
            if bytes.count == 3 || bytes[3] != UInt8(ascii: "-") { return Reply(code: code, lines: texts) }
            if texts.count > 100 { throw SMTPError.transient("\(server.host) sent a reply of over 100 lines") }
        }
    }

    private func expect(_ answer: Reply, _ code: Int, _ step: String) throws {
        guard answer.code == code else { throw Self.failure(answer, step) }
    }

    static func failure(_ answer: Reply, _ step: String) -> SMTPError {
        let text = "\(step): \(answer.text)"
        return (500..<600).contains(answer.code) ? .permanent(text) : .transient(text)
    }
}

/// Splits the server's bytes into lines without their CRLF.
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > SMTPClient.maxLine { throw SMTPError.transient("a reply line over 4 KiB") }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}
