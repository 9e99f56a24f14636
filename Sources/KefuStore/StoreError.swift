/// Failures of the storage layer itself, as opposed to domain rules.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedDatabase
    case invalidDatabaseURL(String)
    case dataDirectoryNotWritable(String)
    case unreachable(String)
    /// A stored value that no longer decodes (an unknown role, locale, action…): never replaced by a default.
    case undecodable(table: String, column: String, value: String)

    public var description: String {
        switch self {
        case .unsupportedDatabase: "the database driver does not speak SQL"
        case .invalidDatabaseURL(let url):
            "invalid database URL: \(url) (expected postgres://user:pass@host:port/db or sqlite:PATH)"
        case .dataDirectoryNotWritable(let path): "the data directory \(path) is not writable"
        case .unreachable(let reason): "the database is unreachable: \(reason)"
        case .undecodable(let table, let column, let value):
            "\(table).\(column) holds \"\(value)\", which this version cannot read"
        }
    }
}

/// Reads a stored enum value, failing loudly on anything unknown.
func decodeStored<Value: RawRepresentable>(_ type: Value.Type, _ raw: String, table: String, column: String) throws -> Value
where Value.RawValue == String {
    guard let value = Value(rawValue: raw) else { throw StoreError.undecodable(table: table, column: column, value: raw) }
    return value
}
