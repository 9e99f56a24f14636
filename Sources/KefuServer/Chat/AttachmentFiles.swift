import Crypto
import Foundation

/// Chat files on disk under `<data directory>/attachments/<workspace>/<random token>`. The token names the file and
/// is part of its address, so the address cannot be guessed; nothing from the client becomes part of a path.
struct AttachmentFiles: Sendable {
    let root: String
    let maxBytes: Int
    /// Bytes of files one workspace may keep (0: no limit).
    let workspaceQuota: Int

    init(dataDirectory: String, maxBytes: Int, workspaceQuota: Int = 0) {
        root = URL(fileURLWithPath: dataDirectory).appendingPathComponent("attachments").path
        self.maxBytes = maxBytes
        self.workspaceQuota = workspaceQuota
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
        return Stored(storageKey: key, sha256: Self.digest(bytes))
    }

    static func digest(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    func url(_ storageKey: String) -> URL { URL(fileURLWithPath: root).appendingPathComponent(storageKey) }

    func remove(_ storageKey: String) { try? FileManager.default.removeItem(at: url(storageKey)) }

    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// A file name fit to show and to offer for download: no directories, no control characters, at most 200
    /// characters; empty when nothing is left.
    /// C0 and C1 controls, and the bidirectional marks, embeddings and isolates that can make a name read as another
    /// (`invoice\u{202E}gnp.exe`).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    static func cleanName(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let visible = String(String.UnicodeScalarView(last.unicodeScalars.filter { !Self.isControl($0) }))
        let trimmed = visible.trimmingCharacters(in: .whitespaces)
        return trimmed == "." || trimmed == ".." ? "" : String(trimmed.prefix(200))
    }
}
