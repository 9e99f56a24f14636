import Configuration
import Foundation
import Logging

/// Everything the server reads at start, resolved once from CLI flags > environment (`KEFU_*`) > JSON config file >
/// defaults.
public struct AppConfig: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// `postgres://…`, `sqlite:PATH`, `sqlite::memory:`, or nil for `<dataDirectory>/kefu.sqlite`.
    public var databaseURL: String?
    public var dataDirectory: String = "./kefu-data"
    /// Base64 or any string of ≥ 32 characters; nil means generate once into the data directory.
    public var secretKey: String?
    public var demo: Bool = false
    public var logLevel: Logger.Level = .info
    /// How long to keep retrying an unreachable PostgreSQL at start.
    public var databaseRetrySeconds: Int = 30
    public var maxBodyBytes: Int = 1_048_576
    /// The largest file a customer or an agent may send in chat.
    public var maxAttachmentBytes: Int = 10 << 20
    /// Chat frames all sockets of one client address may send per second (twice that as a burst); 0: no limit.
    public var maxFramesPerAddress: Int = 200
    /// Whether the per-address frame limit also counts loopback clients (a proxy or load tool on the same machine
    /// normally should not be limited as one client).
    public var limitLoopbackFrames = false
    /// How long an agent may be offline (no console open anywhere) before their open chats go back to the queue.
    public var routingOfflineGraceSeconds = 300
    /// The URL users reach Kefu at, used in invitation links; `https://` also marks cookies Secure.
    public var publicURL: String?
    public var sessionHours: Int = 12
    public var bearerTokenMinutes: Int = 60
    /// Take the client address from `X-Forwarded-For` (only behind a load balancer that sets it).
    public var trustProxy: Bool = false
    /// How long a resolved session or token is remembered by one instance (0 disables the cache).
    public var authCacheSeconds: Int = 5
    /// A connection with no request in progress (or one whose headers never finish) is closed after this long.
    public var httpIdleTimeoutSeconds: Int = 60
    /// A request whose body stops arriving for this long is dropped.
    public var httpReadTimeoutSeconds: Int = 30
    /// Open connections beyond this are closed at once (with a log line), keeping file descriptors for the rest.
    public var maxConnections: Int = 10_000
    /// Bytes of files widget visitors may send per minute, from one client address and as one contact (0: no limit).
    public var maxUploadBytesPerAddressPerMinute: Int = 60 << 20
    public var maxUploadBytesPerContactPerMinute: Int = 30 << 20
    /// File storage each workspace may use for chat files (0: no limit); past it uploads answer 507 `storage_full`.
    public var maxAttachmentStorageBytes: Int = 5 << 30
    /// Connections one client address may hold open (0: no limit). Off behind a proxy (`trustProxy`), where every
    /// connection comes from the proxy's address.
    public var maxConnectionsPerAddress: Int = 256
    /// Whether loopback clients are exempt from the per-address limits on connections, uploads, widget sign-ups and
    /// help-center forms (a same-host proxy without `trust.proxy` makes every visitor look like 127.0.0.1).
    public var exemptLoopback = false
    /// Background job workers on this instance; 0 makes a web-only instance that leaves jobs to the others.
    public var jobWorkers: Int = 1
    /// Lets an owner or admin move business-hours time (`PUT /api/v1/test-clock`), for tests of what happens after
    /// hours; never for production.
    public var testClock = false
    /// Where e-mail goes out: `smtp://user:pass@host:587` or `smtps://…` (see `SMTPServer`); nil: mails wait queued.
    public var smtp: SMTPServer?
    /// Who mails are from: `Shop <support@shop.example>`; its domain also names each mail's `Message-ID`.
    public var mailFrom: String?
    /// Deliveries (e-mail, webhooks) each instance sends at once.
    public var deliveryWorkers: Int = 4

    public init() {}

    /// Keys as written in the config file (nested JSON objects join with dots) and, upper-cased with `_` and prefixed
    /// with `KEFU_`, in the environment: `database.url` ↔ `KEFU_DATABASE_URL`.
    public enum Key {
        public static let host = "host"
        public static let port = "port"
        public static let databaseURL = "database.url"
        public static let dataDirectory = "data.dir"
        public static let secretKey = "secret.key"
        public static let demo = "demo"
        public static let logLevel = "log.level"
        public static let databaseRetrySeconds = "database.retry.seconds"
        public static let maxBodyBytes = "max.body.bytes"
        public static let maxAttachmentBytes = "max.attachment.bytes"
        public static let maxFramesPerAddress = "max.frames.per.address"
        public static let limitLoopbackFrames = "max.frames.per.address.loopback"
        public static let routingOfflineGraceSeconds = "routing.offline.grace.seconds"
        public static let testClock = "testing.clock"
        public static let publicURL = "public.url"
        public static let sessionHours = "session.hours"
        public static let bearerTokenMinutes = "bearer.token.minutes"
        public static let trustProxy = "trust.proxy"
        public static let authCacheSeconds = "auth.cache.seconds"
        public static let httpIdleTimeoutSeconds = "http.idle.timeout.seconds"
        public static let httpReadTimeoutSeconds = "http.read.timeout.seconds"
        public static let maxConnections = "max.connections"
        public static let jobWorkers = "job.workers"
        public static let maxConnectionsPerAddress = "max.connections.per.address"
        public static let maxUploadBytesPerAddressPerMinute = "max.upload.bytes.per.address.per.minute"
        public static let maxUploadBytesPerContactPerMinute = "max.upload.bytes.per.contact.per.minute"
        public static let maxAttachmentStorageBytes = "max.attachment.storage.bytes"
        public static let exemptLoopback = "limits.exempt.loopback"
        public static let smtpURL = "smtp.url"
        public static let mailFrom = "mail.from"
        public static let deliveryWorkers = "delivery.workers"
    }

    /// Resolves the configuration. `cli` holds only flags the user actually gave, by key.
    public static func load(
        cli: [String: String], environment: [String: String], configFile: String?
    ) throws -> AppConfig {
        var providers: [any ConfigProvider] = [InMemoryProvider(name: "cli", values: Self.values(cli))]
        let kefuEnvironment = Dictionary(
            uniqueKeysWithValues: environment.compactMap { key, value -> (String, String)? in
                key.hasPrefix("KEFU_") ? (String(key.dropFirst(5)), value) : nil
            })
        providers.append(
            EnvironmentVariablesProvider(
                environmentVariables: kefuEnvironment, secretsSpecifier: .specific(["SECRET_KEY", "DATABASE_URL", "SMTP_URL"])))
        if let path = configFile ?? environment["KEFU_CONFIG"] {
            providers.append(InMemoryProvider(name: "file", values: Self.values(try ConfigFile.read(path))))
        }
        let reader = ConfigReader(providers: providers)
        var config = AppConfig()
        config.host = reader.string(forKey: ConfigKey(Key.host), default: config.host)
        config.port = try Self.int(reader, Key.port, default: config.port, range: 0...65535)
        config.databaseURL = reader.string(forKey: ConfigKey(Key.databaseURL), isSecret: true)
        config.dataDirectory = reader.string(forKey: ConfigKey(Key.dataDirectory), default: config.dataDirectory)
        config.secretKey = reader.string(forKey: ConfigKey(Key.secretKey), isSecret: true)
        config.demo = Self.bool(reader.string(forKey: ConfigKey(Key.demo))) ?? config.demo
        if let level = reader.string(forKey: ConfigKey(Key.logLevel)) {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigError.invalid(Key.logLevel, level)
            }
            config.logLevel = parsed
        }
        config.databaseRetrySeconds = try Self.int(
            reader, Key.databaseRetrySeconds, default: config.databaseRetrySeconds, range: 0...3600)
        config.maxBodyBytes = try Self.int(reader, Key.maxBodyBytes, default: config.maxBodyBytes, range: 1024...(64 << 20))
        config.maxAttachmentBytes = try Self.int(
            reader, Key.maxAttachmentBytes, default: config.maxAttachmentBytes, range: 1024...(100 << 20))
        config.maxFramesPerAddress = try Self.int(
            reader, Key.maxFramesPerAddress, default: config.maxFramesPerAddress, range: 0...1_000_000)
        config.limitLoopbackFrames =
            Self.bool(reader.string(forKey: ConfigKey(Key.limitLoopbackFrames))) ?? config.limitLoopbackFrames
        config.routingOfflineGraceSeconds = try Self.int(
            reader, Key.routingOfflineGraceSeconds, default: config.routingOfflineGraceSeconds, range: 0...(7 * 86400))
        config.publicURL = reader.string(forKey: ConfigKey(Key.publicURL))
        config.sessionHours = try Self.int(reader, Key.sessionHours, default: config.sessionHours, range: 1...(24 * 90))
        config.bearerTokenMinutes = try Self.int(
            reader, Key.bearerTokenMinutes, default: config.bearerTokenMinutes, range: 1...(24 * 60))
        config.trustProxy = Self.bool(reader.string(forKey: ConfigKey(Key.trustProxy))) ?? config.trustProxy
        config.authCacheSeconds = try Self.int(
            reader, Key.authCacheSeconds, default: config.authCacheSeconds, range: 0...300)
        config.httpIdleTimeoutSeconds = try Self.int(
            reader, Key.httpIdleTimeoutSeconds, default: config.httpIdleTimeoutSeconds, range: 1...3600)
        config.httpReadTimeoutSeconds = try Self.int(
            reader, Key.httpReadTimeoutSeconds, default: config.httpReadTimeoutSeconds, range: 1...3600)
        config.maxConnections = try Self.int(reader, Key.maxConnections, default: config.maxConnections, range: 1...1_000_000)
        config.maxConnectionsPerAddress = try Self.int(
            reader, Key.maxConnectionsPerAddress, default: config.maxConnectionsPerAddress, range: 0...1_000_000)
        config.maxUploadBytesPerAddressPerMinute = try Self.int(
            reader, Key.maxUploadBytesPerAddressPerMinute, default: config.maxUploadBytesPerAddressPerMinute,
            range: 0...(1 << 40))
        config.maxUploadBytesPerContactPerMinute = try Self.int(
            reader, Key.maxUploadBytesPerContactPerMinute, default: config.maxUploadBytesPerContactPerMinute,
            range: 0...(1 << 40))
        config.maxAttachmentStorageBytes = try Self.int(
            reader, Key.maxAttachmentStorageBytes, default: config.maxAttachmentStorageBytes, range: 0...(1 << 50))
        config.exemptLoopback = Self.bool(reader.string(forKey: ConfigKey(Key.exemptLoopback))) ?? config.exemptLoopback
        config.jobWorkers = try Self.int(reader, Key.jobWorkers, default: config.jobWorkers, range: 0...16)
        config.testClock = Self.bool(reader.string(forKey: ConfigKey(Key.testClock))) ?? config.testClock
        if let url = reader.string(forKey: ConfigKey(Key.smtpURL), isSecret: true), !url.isEmpty {
            do { config.smtp = try SMTPServer.parse(url) } catch { throw ConfigError.unusable(Key.smtpURL, "\(error)") }
        }
        if let from = reader.string(forKey: ConfigKey(Key.mailFrom)), !from.isEmpty {
            guard MailAddress.parse(from) != nil else {
                throw ConfigError.unusable(
                    Key.mailFrom, "expected support@shop.example or Shop <support@shop.example>, got \(from)")
            }
            config.mailFrom = from
        } else if let smtp = config.smtp, let user = smtp.username, MailAddress.parse(user) != nil {
            config.mailFrom = user
        }
        if config.smtp != nil && config.mailFrom == nil {
            throw ConfigError.unusable(Key.mailFrom, "set it (KEFU_MAIL_FROM) when smtp.url is set")
        }
        config.deliveryWorkers = try Self.int(reader, Key.deliveryWorkers, default: config.deliveryWorkers, range: 0...64)
        return config
    }

    private static func values(_ flat: [String: String]) -> [AbsoluteConfigKey: ConfigValue] {
        Dictionary(
            uniqueKeysWithValues: flat.map {
                (
                    AbsoluteConfigKey($0.key.split(separator: ".").map(String.init)),
                    ConfigValue(.string($0.value), isSecret: false)
                )
            })
    }

    private static func int(_ reader: ConfigReader, _ key: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = reader.string(forKey: ConfigKey(key)) else { return value }
        guard let parsed = Int(text), range.contains(parsed) else { throw ConfigError.invalid(key, text) }
        return parsed
    }

    private static func bool(_ text: String?) -> Bool? {
        switch text?.lowercased() {
        case "1", "true", "yes", "on": true
        case "0", "false", "no", "off": false
        default: nil
        }
    }
}

/// A configuration value that cannot be used.
public enum ConfigError: Error, CustomStringConvertible {
    case invalid(String, String)
    /// A value that cannot be used, with the reason (the value itself may be secret and is not repeated).
    case unusable(String, String)
    case unreadableFile(String, String)

    public var description: String {
        switch self {
        case .invalid(let key, let value): "invalid value '\(value)' for \(key)"
        case .unusable(let key, let reason): "\(key): \(reason)"
        case .unreadableFile(let path, let reason): "cannot read config file \(path): \(reason)"
        }
    }
}

/// Reads a JSON config file into dotted keys with string values.
enum ConfigFile {
    static func read(_ path: String) throws -> [String: String] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError.unreadableFile(path, "not found or not readable")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigError.unreadableFile(path, "not a JSON object")
        }
        var out: [String: String] = [:]
        flatten(object, prefix: "", into: &out)
        return out
    }

    private static func flatten(_ object: [String: Any], prefix: String, into out: inout [String: String]) {
        for (key, value) in object {
            let full = prefix.isEmpty ? key : "\(prefix).\(key)"
            switch value {
            case let nested as [String: Any]: flatten(nested, prefix: full, into: &out)
            case let number as NSNumber:
                out[full] = number.stringValue
            case let text as String: out[full] = text
            default: continue
            }
        }
    }
}
