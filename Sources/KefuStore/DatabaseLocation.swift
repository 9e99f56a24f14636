import Foundation

/// Where the data lives: an embedded SQLite file (the default), SQLite in memory (tests), or PostgreSQL.
public enum DatabaseLocation: Sendable, Equatable {
    case sqliteFile(String)
    case sqliteMemory
    case postgres(String)

    /// Parses `postgres://…`, `postgresql://…`, `sqlite:PATH`, `sqlite::memory:`; nil or empty means the data dir file.
    public static func parse(_ url: String?, dataDirectory: String) throws -> DatabaseLocation {
        guard let url, !url.isEmpty else {
            return .sqliteFile((dataDirectory as NSString).appendingPathComponent("kefu.sqlite"))
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            guard URL(string: url)?.host != nil else { throw StoreError.invalidDatabaseURL(Self.redact(url)) }
            return .postgres(url)
        }
        if url == "sqlite::memory:" || url == "sqlite://:memory:" { return .sqliteMemory }
        if url.hasPrefix("sqlite://") { return .sqliteFile(String(url.dropFirst("sqlite://".count))) }
        if url.hasPrefix("sqlite:") { return .sqliteFile(String(url.dropFirst("sqlite:".count))) }
        throw StoreError.invalidDatabaseURL(Self.redact(url))
    }

    /// The SQLite file's path; nil in memory and on PostgreSQL.
    var sqliteFilePath: String? {
        if case .sqliteFile(let path) = self { return path }
        return nil
    }

    public var isPostgres: Bool {
        if case .postgres = self { return true }
        return false
    }

    /// A description safe to log: the password is replaced.
    public var redacted: String {
        switch self {
        case .sqliteFile(let path): "sqlite:\(path)"
        case .sqliteMemory: "sqlite::memory:"
        case .postgres(let url): Self.redact(url)
        }
    }

    static func redact(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }
}
