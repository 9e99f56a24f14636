import Foundation
import KefuCore

/// An e-mail as written on the wire (RFC 5322 + MIME): `multipart/alternative` with the plain text and the HTML of
/// one template, both UTF-8 in base64; non-ASCII header text as RFC 2047 encoded words; no header can be split or
/// added by what a customer typed (every CR and LF in a header value becomes a space).
struct MailMessage: Sendable {
    var from: MailAddress
    var to: MailAddress
    var subject: String
    var content: MailContent
    /// Without angle brackets: `kefu.<delivery>@<domain>`.
    var messageID: String
    var inReplyTo: String?
    var references: [String] = []
    var date: Date
    /// Extra headers, already checked: `X-Kefu-Delivery`.
    var extra: [(String, String)] = []

    func rendered() -> String {
        let boundary = "kefu-" + messageID.prefix(36).filter { $0.isLetter || $0.isNumber || $0 == "-" }
        var headers: [(String, String)] = [
            ("Date", Self.date(date)),
            ("From", from.header),
            ("To", to.header),
            ("Subject", Self.encodedWords(Self.oneLine(subject))),
            ("Message-ID", "<\(messageID)>"),
        ]
        if let inReplyTo { headers.append(("In-Reply-To", "<\(inReplyTo)>")) }
        if !references.isEmpty { headers.append(("References", references.map { "<\($0)>" }.joined(separator: " "))) }
        headers.append(("MIME-Version", "1.0"))
        headers.append(("Content-Type", "multipart/alternative; boundary=\"\(boundary)\""))
        headers += extra.map { ($0.0, Self.oneLine($0.1)) }
        var out = headers.map { Self.folded("\($0.0): \($0.1)") }.joined(separator: "\r\n") + "\r\n\r\n"
        for (type, body) in [("text/plain", content.text), ("text/html", content.html)] {
            out += "--\(boundary)\r\nContent-Type: \(type); charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            out += Self.base64Lines(Data(body.utf8)) + "\r\n"
        }
        return out + "--\(boundary)--\r\n"
    }

    /// A header value on one line: CR, LF and other controls become spaces.
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    /// ASCII text stays as it is; anything else becomes `=?UTF-8?B?…?=` words of at most 75 characters, split on
    /// character boundaries and joined by folding white space.
    static func encodedWords(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.isASCII }) { return text }
        var words: [String] = []
        var chunk = Data()
        for character in text {
            let bytes = Data(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?" + chunk.base64EncodedString() + "?=")
                chunk = Data()
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + chunk.base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Long ASCII header lines are folded at spaces (RFC 5322 §2.2.3); encoded words already come folded.
    static func folded(_ line: String) -> String {
        guard line.utf8.count > 78, !line.contains("\r\n") else { return line }
        var out = ""
        var current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            if !current.isEmpty && current.utf8.count + word.utf8.count + 1 > 78 {
                out += current + "\r\n"
                current = " " + word
            } else {
                current += current.isEmpty ? String(word) : " " + word
            }
        }
        return out + current
    }

    static func base64Lines(_ data: Data) -> String {
        data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}

/// A display name and an address. The address must be plain (`SMTPClient.isSafeAddress`); the name is encoded.
struct MailAddress: Sendable, Equatable {
    var name: String?
    var address: String

    var header: String {
        guard let name = name.map(MailMessage.oneLine)?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            return "<\(address)>"
        }
        let plain = name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || $0 == " " || ("0"..."9").contains($0))
        }
        let shown = plain ? "\"\(name)\"" : MailMessage.encodedWords(name)
        return "\(shown) <\(address)>"
    }

    /// `Name <a@b.c>` or `a@b.c`, as in `KEFU_MAIL_FROM`.
    static func parse(_ text: String) -> MailAddress? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(
                in: CharacterSet(charactersIn: "\""))
            guard SMTPClient.isSafeAddress(address) else { return nil }
            return MailAddress(name: name.isEmpty ? nil : name, address: address)
        }
        return SMTPClient.isSafeAddress(trimmed) ? MailAddress(name: nil, address: trimmed) : nil
    }

    /// The part after `@`, for message ids.
    var domain: String { address.split(separator: "@").last.map(String.init) ?? "localhost" }
}
