import Crypto
import Foundation

/// Chat files on disk under `<data directory>/attachments/<workspace>/<random token>`. The token names the file and
/// is part of its address, so the address cannot be guessed; nothing from the client becomes part of a path.
struct AttachmentFiles: Sendable {
    let root: String
    let maxBytes: Int

    init(dataDirectory: String, maxBytes: Int) {
        root = URL(fileURLWithPath: dataDirectory).appendingPathComponent("attachments").path
        self.maxBytes = maxBytes
    }

    struct Stored: Sendable {
        var storageKey: String
        var sha256: String
    }

    func write(_ bytes: [UInt8], workspace: UUID) throws -> Stored {
        let token = Self.token()
        let key = workspace.uuidString.lowercased() + "/" + token
        let url = URL(fileURLWithPath: root).appendingPathComponent(key)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url, options: .atomic)
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return Stored(storageKey: key, sha256: digest)
    }

    func url(_ storageKey: String) -> URL { URL(fileURLWithPath: root).appendingPathComponent(storageKey) }

    func remove(_ storageKey: String) { try? FileManager.default.removeItem(at: url(storageKey)) }

    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// A file name fit to show and to offer for download: no directories, no control characters, at most 200
    /// characters; empty when nothing is left.
    static func cleanName(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let visible = String(String.UnicodeScalarView(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
        let trimmed = visible.trimmingCharacters(in: .whitespaces)
        return trimmed == "." || trimmed == ".." ? "" : String(trimmed.prefix(200))
    }
}
