/// Failures of the storage layer itself, as opposed to domain rules.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case unsupportedDatabase
    case invalidDatabaseURL(String)
    case dataDirectoryNotWritable(String)
    case unreachable(String)

    public var description: String {
        switch self {
        case .unsupportedDatabase: "the database driver does not speak SQL"
        case .invalidDatabaseURL(let url):
            "invalid database URL: \(url) (expected postgres://user:pass@host:port/db or sqlite:PATH)"
        case .dataDirectoryNotWritable(let path): "the data directory \(path) is not writable"
        case .unreachable(let reason): "the database is unreachable: \(reason)"
        }
    }
}
