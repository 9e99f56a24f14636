import Foundation
import KefuCore

/// Where and how to send e-mail, from a URL: `smtp://user:pass@host:587` (STARTTLS when the server offers it, and
/// required before a password is sent), `smtps://user:pass@host:465` (TLS from the first byte). Query options:
/// `starttls=require|never` (never only for a relay on the same machine), `ca_file=/path.pem` (trust this CA as
/// well, for a private relay), `helo=name` (the name this client greets with).
public struct SMTPServer: Sendable, Equatable {
    public enum Security: String, Sendable, Equatable {
        /// STARTTLS when offered; required when credentials are set.
        case opportunistic
        case requireSTARTTLS = "require"
        /// Plain text throughout: only for a relay on the same machine, never with credentials.
        case never
        /// `smtps://`: TLS from the first byte.
        case implicitTLS = "implicit"
    }

    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var security: Security
    public var caFile: String?
    public var helo: String

    public init(
        host: String, port: Int, username: String? = nil, password: String? = nil, security: Security,
        caFile: String? = nil, helo: String = "localhost"
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.security = security
        self.caFile = caFile
        self.helo = helo
    }

    /// Why a URL cannot be used; never repeats the password.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ text: String) throws -> SMTPServer {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased() else {
            throw Invalid(description: "not a URL; expected smtp://user:password@host:587 or smtps://…")
        }
        guard scheme == "smtp" || scheme == "smtps" else {
            throw Invalid(description: "the scheme must be smtp or smtps, not \(scheme)")
        }
        guard let host = components.host, !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw Invalid(description: "the URL names no host")
        }
        let port = components.port ?? (scheme == "smtps" ? 465 : 587)
        guard (1...65535).contains(port) else { throw Invalid(description: "the port must be 1 to 65535") }
        var server = SMTPServer(
            host: host, port: port, username: components.user?.removingPercentEncoding,
            password: components.password?.removingPercentEncoding,
            security: scheme == "smtps" ? .implicitTLS : .opportunistic)
        if server.username?.isEmpty == true { server.username = nil }
        if (server.username == nil) != (server.password == nil) {
            throw Invalid(description: "give both a user name and a password, or neither")
        }
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "starttls":
                guard scheme == "smtp", let security = Security(rawValue: value), security != .implicitTLS,
                    security != .opportunistic
                else { throw Invalid(description: "starttls must be require or never (smtp:// only)") }
                server.security = security
            case "ca_file":
                guard !value.isEmpty else { throw Invalid(description: "ca_file needs a path") }
                server.caFile = value
            case "helo":
                guard !value.isEmpty, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.".contains($0)) })
                else { throw Invalid(description: "helo must be a host name") }
                server.helo = value
            default:
                throw Invalid(description: "unknown option \(item.name) (known: starttls, ca_file, helo)")
            }
        }
        if server.security == .never && server.username != nil {
            throw Invalid(description: "starttls=never would send the password in clear text")
        }
        return server
    }

    /// The URL with its password as `***`, options kept, for logs and pages.
    public var redacted: String {
        let user = username.map { ($0.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? $0) + ":***@" } ?? ""
        var options: [String] = []
        if security == .requireSTARTTLS || security == .never { options.append("starttls=" + security.rawValue) }
        if let caFile { options.append("ca_file=" + caFile) }
        if helo != "localhost" { options.append("helo=" + helo) }
        let query = options.isEmpty ? "" : "?" + options.joined(separator: "&")
        return "\(security == .implicitTLS ? "smtps" : "smtp")://\(user)\(host):\(port)\(query)"
    }
}
