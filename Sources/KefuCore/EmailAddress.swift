/// An e-mail address parsed as RFC 5322's `addr-spec` (with RFC 6531's UTF-8 letters): a dot-atom or quoted
/// local part of at most 64 bytes, `@`, and a domain of at least two dot-separated labels (letters, digits and
/// inner hyphens, at most 63 characters each; the last not all digits). Comments, folding white space and domain
/// literals (`[192.0.2.1]`) are not accepted: no mailbox a shop sends to needs them.
public struct EmailAddress: Sendable, Equatable {
    public let localPart: String
    public let domain: String

    public init?(_ text: String) {
        guard text.utf8.count <= 254, let at = text.lastIndex(of: "@") else { return nil }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        guard Self.isLocalPart(local), Self.isDomain(domain) else { return nil }
        self.localPart = String(local)
        self.domain = String(domain)
    }

    /// `atext` of RFC 5322, plus any non-ASCII letter or digit.
    static func isAtomCharacter(_ c: Character) -> Bool {
        if c.isASCII {
            return c.isLetter || c.isNumber || "!#$%&'*+-/=?^_`{|}~".contains(c)
        }
        return c.isLetter || c.isNumber
    }

    static func isLocalPart(_ local: Substring) -> Bool {
        guard !local.isEmpty, local.utf8.count <= 64 else { return false }
        if local.hasPrefix("\"") { return isQuotedString(local) }
        return local.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { atom in
            !atom.isEmpty && atom.allSatisfy(isAtomCharacter)
        }
    }

    /// `"…"` with printable ASCII inside; `\` escapes one printable character.
    static func isQuotedString(_ text: Substring) -> Bool {
        guard text.count >= 2, text.hasSuffix("\"") else { return false }
        var escaped = false
        for c in text.dropFirst().dropLast() {
            guard let ascii = c.asciiValue, (0x20...0x7e).contains(ascii) else { return false }
            if escaped {
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\"" {
                return false
            }
        }
        return !escaped
    }

    static func isDomain(_ domain: Substring) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, domain.utf8.count <= 253 else { return false }
        let valid = labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0 == "-" || $0.isNumber || $0.isLetter }
                && label.allSatisfy { !$0.isWhitespace }
        }
        return valid && !(labels.last?.allSatisfy(\.isNumber) ?? true)
    }
}
