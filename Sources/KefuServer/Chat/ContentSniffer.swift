/// What a file is, read from its first bytes; the name and the type the client claims are never trusted. Only kinds a
/// customer-service chat needs are accepted: common images, PDF, ZIP-based office files and plain UTF-8 text. Anything
/// else (executables, HTML, SVG, unknown binaries) is refused.
enum ContentSniffer {
    /// The images shown inline in the widget and the console.
    static let inlineImages: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp"]

    static func contentType(of bytes: some Collection<UInt8>) -> String? {
        let head = Array(bytes.prefix(512))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) { return "image/gif" }
        if head.count >= 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) {
            return "image/webp"
        }
        if head.starts(with: Array("%PDF-".utf8)) { return "application/pdf" }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "application/zip" }
        if isPlainText(bytes) { return "text/plain; charset=utf-8" }
        return nil
    }

    /// UTF-8 without NUL or other control characters than tab and line breaks, and not markup a browser would run.
    static func isPlainText(_ bytes: some Collection<UInt8>) -> Bool {
        guard !bytes.isEmpty, let text = String(validating: Array(bytes), as: UTF8.self) else { return false }
        let controls = text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r" }
        let start = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }.prefix(64).lowercased()
        let markup = ["<!doctype", "<html", "<svg", "<?xml", "<script"].contains { start.hasPrefix($0) }
        return !controls && !markup
    }

    static func isInlineImage(_ contentType: String) -> Bool { inlineImages.contains(contentType) }
}
