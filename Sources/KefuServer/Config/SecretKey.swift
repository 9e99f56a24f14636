import Crypto
import Foundation

/// The server's secret, used to sign cookies and derive keys. Comes from configuration or is generated once into
/// `<data dir>/secret.key` (mode 0600) and reused.
public struct SecretKey: Sendable {
    public let key: SymmetricKey

    public init(material: String) {
        self.key = SymmetricKey(data: SHA256.hash(data: Data(material.utf8)))
    }

    public static func loadOrCreate(configured: String?, dataDirectory: String) throws -> SecretKey {
        if let configured, !configured.isEmpty {
            guard configured.count >= 32 else { throw ConfigError.invalid("secret.key", "(fewer than 32 characters)") }
            return SecretKey(material: configured)
        }
        let path = (dataDirectory as NSString).appendingPathComponent("secret.key")
        let files = FileManager.default
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            return SecretKey(material: existing.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let material = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
        guard files.createFile(atPath: path, contents: Data((material + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else { throw DataDirectoryError.notWritable(dataDirectory) }
        return SecretKey(material: material)
    }

    /// HMAC-SHA256 of the text, hex.
    public func sign(_ text: String) -> String {
        Secrets.hex(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
    }
}

/// Problems with the data directory found at start.
public enum DataDirectoryError: Error, CustomStringConvertible {
    case notWritable(String)

    public var description: String {
        switch self {
        case .notWritable(let path): "the data directory \(path) cannot be created or written to"
        }
    }
}

/// Makes sure the data directory exists and is writable.
public enum DataDirectory {
    public static func prepare(_ path: String) throws {
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DataDirectoryError.notWritable(path)
        }
        let probe = (path as NSString).appendingPathComponent(".write-test-\(UUID().uuidString)")
        guard files.createFile(atPath: probe, contents: Data()) else { throw DataDirectoryError.notWritable(path) }
        try? files.removeItem(atPath: probe)
    }
}
