import Foundation
import Testing

/// A real SMTP server (PyPI's aiosmtpd, `scripts/mail_sink.py`) in its own process on a free loopback port, storing
/// each accepted mail. The Python is `KEFU_TEST_PYTHON`, else the test command's venv (`.build/venv`), else
/// `python3`; the test fails with a clear message when aiosmtpd is missing (`scripts/test` installs it).
final class MailSink: @unchecked Sendable {
    enum Mode {
        case plain
        /// STARTTLS offered with a fresh self-signed certificate for `localhost` (`caFile` trusts it); AUTH required.
        case startTLS(user: String, password: String)
        case implicitTLS
        /// Every DATA answered with this code.
        case reply(Int)
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    let port: Int
    let directory: URL
    let caFile: String
    private let process: Process
    private let input: Pipe

    init(_ mode: Mode = .plain) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kefu-mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        caFile = cert
        var arguments = [
            Self.repository.appendingPathComponent("scripts/mail_sink.py").path, "--out",
            directory.appendingPathComponent("mail").path,
        ]
        switch mode {
        case .plain: break
        case .startTLS(let user, let password):
            try Self.certificate(cert: cert, key: key)
            arguments += ["--starttls", cert, key, "--auth", "\(user):\(password)"]
        case .implicitTLS:
            try Self.certificate(cert: cert, key: key)
            arguments += ["--implicit-tls", cert, key]
        case .reply(let code):
            arguments += ["--reply", String(code)]
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = arguments
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // The first line is "READY <port>"; a missing aiosmtpd ends the process instead.
        var line = Data()
        let handle = output.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("READY "), let port = Int(text.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.terminate()
            throw SinkError(
                description: "the test SMTP server did not start (\(Self.python) scripts/mail_sink.py; "
                    + "is aiosmtpd installed? scripts/test installs it): \(text)")
        }
        self.port = port
    }

    deinit { stop() }

    func stop() {
        if process.isRunning {
            try? input.fileHandleForWriting.close()
            process.terminate()
            process.waitUntilExit()
        }
    }

    struct SinkError: Error, CustomStringConvertible { var description: String }

    static var python: String {
        if let configured = ProcessInfo.processInfo.environment["KEFU_TEST_PYTHON"] { return configured }
        let venv = repository.appendingPathComponent(".build/venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
    }

    static func certificate(cert: String, key: String) throws {
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj",
            "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw SinkError(description: "openssl could not make a certificate") }
    }

    /// One stored mail: its envelope and its raw text.
    struct Mail {
        var from: String
        var to: [String]
        var tls: Bool
        var raw: String

        /// A header's value, unfolded.
        func header(_ name: String) -> String? {
            let head = raw.components(separatedBy: "\r\n\r\n").first ?? raw
            let unfolded = head.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: " ")
            for line in unfolded.components(separatedBy: "\r\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }

        /// The decoded text of the part with this content type.
        func part(_ type: String) -> String? {
            let sections = raw.components(separatedBy: "Content-Type: \(type); charset=UTF-8\r\n")
            guard sections.count > 1 else { return nil }
            let body = sections[1].components(separatedBy: "\r\n\r\n").dropFirst().first ?? ""
            let base64 = body.components(separatedBy: "\r\n--").first?.replacingOccurrences(of: "\r\n", with: "") ?? ""
            return Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    func mails() -> [Mail] {
        let folder = directory.appendingPathComponent("mail")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".eml") }
            .sorted()
        return names.compactMap { name in
            let base = folder.appendingPathComponent(String(name.dropLast(4)))
            guard let raw = try? String(contentsOf: base.appendingPathExtension("eml"), encoding: .utf8),
                let envelope = try? JSONSerialization.jsonObject(with: Data(contentsOf: base.appendingPathExtension("json")))
                    as? [String: Any]
            else { return nil }
            return Mail(
                from: envelope["from"] as? String ?? "", to: envelope["to"] as? [String] ?? [],
                tls: envelope["tls"] as? Bool ?? false, raw: raw)
        }
    }

    /// Waits (bounded) until at least `count` mails arrived.
    func waitFor(_ count: Int, within seconds: Double = 60) async throws -> [Mail] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let found = mails()
            if found.count >= count || Date() > deadline { return found }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
