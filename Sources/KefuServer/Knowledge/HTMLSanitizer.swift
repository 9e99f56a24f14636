import KefuCore

/// Keeps only an allow-list of tags and attributes from HTML that Markdown rendering produced (which passes raw HTML
/// through): no scripts, event handlers, styles, frames, SVG or MathML, and only http(s), mailto and relative URLs.
/// Tags it drops lose their markup but keep their text, except the ones whose content is code or chrome (script,
/// style, iframe, svg …), which go entirely. Open tags are closed at the end, stray closing tags dropped.
struct HTMLSanitizer: Sendable {
    static let allowedTags: Set<String> = [
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del", "s", "code", "pre",
        "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    ]
    static let voidTags: Set<String> = ["br", "hr", "img"]
    /// Dropped together with everything inside them.
    static let droppedWithContent: Set<String> = [
        "script", "style", "iframe", "object", "embed", "svg", "math", "template", "noscript", "textarea", "title",
        "xmp", "noembed", "noframes", "frameset", "frame", "applet", "select", "plaintext",
    ]
    static let allowedAttributes: [String: Set<String>] = [
        "a": ["href", "title"], "img": ["src", "alt", "title"], "code": ["class"], "th": ["align"], "td": ["align"],
    ]

    func sanitize(_ html: String) -> String {
        var output = ""
        var open: [String] = []
        var scanner = HTMLScanner(html)
        while let token = scanner.next() {
            switch token {
            case .text(let text):
                output += Self.escapeText(text)
            case .start(let name, let attributes, _):
                if Self.droppedWithContent.contains(name) {
                    scanner.skip(toClosing: name)
                    continue
                }
                guard Self.allowedTags.contains(name) else { continue }
                output += "<" + name
                for (key, value) in safeAttributes(name, attributes) {
                    output += " \(key)=\"\(Self.escapeAttribute(value))\""
                }
                if name == "a" { output += " rel=\"nofollow noopener noreferrer\"" }
                output += ">"
                if !Self.voidTags.contains(name) { open.append(name) }
            case .end(let name):
                guard let index = open.lastIndex(of: name) else { continue }
                for tag in open[index...].reversed() { output += "</\(tag)>" }
                open.removeSubrange(index...)
            }
        }
        for tag in open.reversed() { output += "</\(tag)>" }
        return output
    }

    private func safeAttributes(_ tag: String, _ attributes: [(String, String)]) -> [(String, String)] {
        let allowed = Self.allowedAttributes[tag] ?? []
        var seen: Set<String> = []
        var kept: [(String, String)] = []
        for (key, value) in attributes where allowed.contains(key) && !seen.contains(key) {
            seen.insert(key)
            switch key {
            case "href": if Self.isSafeURL(value, allowMail: true) { kept.append((key, value)) }
            case "src": if Self.isSafeURL(value, allowMail: false) { kept.append((key, value)) }
            case "class": if Self.isLanguageClass(value) { kept.append((key, value)) }
            case "align": if ["left", "right", "center"].contains(value.lowercased()) { kept.append((key, value)) }
            default: kept.append((key, value))
            }
        }
        return kept
    }

    /// http, https, (for links) mailto, or a relative URL; anything with another scheme — javascript:, data:,
    /// vbscript:, even hidden behind entities, controls or white space — is refused.
    static func isSafeURL(_ value: String, allowMail: Bool) -> Bool {
        let cleaned = String(
            String.UnicodeScalarView(
                value.unicodeScalars.filter { !($0.value <= 0x20 || (0x7F...0x9F).contains($0.value)) })
        ).lowercased()
        guard !cleaned.isEmpty else { return false }
        guard let colon = cleaned.firstIndex(of: ":") else { return true }
        // A colon after the first /, ? or # is part of a relative path, not a scheme.
        if let boundary = cleaned.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }), boundary < colon {
            return true
        }
        let scheme = cleaned[..<colon]
        return scheme == "http" || scheme == "https" || (allowMail && scheme == "mailto")
    }

    static func isLanguageClass(_ value: String) -> Bool {
        value.hasPrefix("language-") && value.count <= 40
            && value.dropFirst(9).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "+") }
    }

    /// Escapes per Unicode scalar, not per Character: a `<` or `"` followed by a combining mark (or after a
    /// prepended mark) is one Character that equals neither, yet the browser still reads the markup character.
    static func escapeText(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    static func escapeAttribute(_ text: String) -> String { HTMLEscaping.escape(text) }
}
