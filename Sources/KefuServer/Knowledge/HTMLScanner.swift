/// Splits HTML into text, start tags (with decoded attribute values) and end tags. Comments, doctypes and
/// processing instructions are skipped. Text comes out with entities decoded, so that the sanitiser escapes it
/// once, consistently.
struct HTMLScanner {
    enum Token: Equatable {
        case text(String)
        case start(String, [(String, String)], selfClosing: Bool)
        case end(String)

        static func == (a: Token, b: Token) -> Bool {
            switch (a, b) {
            case (.text(let x), .text(let y)): x == y
            case (.end(let x), .end(let y)): x == y
            case (.start(let x, let p, let s), .start(let y, let q, let t)):
                x == y && s == t && p.map { $0.0 + "=" + $0.1 } == q.map { $0.0 + "=" + $0.1 }
            default: false
            }
        }
    }

    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(_ html: String) { scalars = Array(html.unicodeScalars) }

    mutating func next() -> Token? {
        guard position < scalars.count else { return nil }
        if scalars[position] == "<", let token = tag() { return token }
        var text = String.UnicodeScalarView()
        repeat {
            text.append(scalars[position])
            position += 1
        } while position < scalars.count && !(scalars[position] == "<" && looksLikeTag(at: position))
        return .text(Entities.decode(String(text)))
    }

    /// Moves past `</name …>`, or to the end when it never comes.
    mutating func skip(toClosing name: String) {
        let needle = Array(("</" + name).unicodeScalars)
        while position < scalars.count {
            if scalars[position] == "<", matches(needle, at: position) {
                let after = position + needle.count
                if after >= scalars.count || !isNameScalar(scalars[after]) {
                    position = after
                    while position < scalars.count && scalars[position] != ">" { position += 1 }
                    position += 1
                    return
                }
            }
            position += 1
        }
    }

    private func matches(_ needle: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + needle.count <= scalars.count else { return false }
        for (offset, scalar) in needle.enumerated() {
            let have = scalars[index + offset].properties.lowercaseMapping
            if have != String(scalar) { return false }
        }
        return true
    }

    private func looksLikeTag(at index: Int) -> Bool {
        guard index + 1 < scalars.count else { return false }
        let c = scalars[index + 1]
        return isLetter(c) || c == "/" || c == "!" || c == "?"
    }

    private func isLetter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
    private func isNameScalar(_ c: Unicode.Scalar) -> Bool { isLetter(c) || ("0"..."9").contains(c) || c == "-" || c == ":" }
    private func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" }

    private mutating func tag() -> Token? {
        guard looksLikeTag(at: position) else { return nil }
        let c = scalars[position + 1]
        if c == "!" || c == "?" {
            // Comment, doctype or processing instruction: dropped whole.
            if matches(Array("<!--".unicodeScalars), at: position) {
                var i = position + 4
                while i < scalars.count && !matches(Array("-->".unicodeScalars), at: i) { i += 1 }
                position = min(scalars.count, i + 3)
            } else {
                while position < scalars.count && scalars[position] != ">" { position += 1 }
                position += 1
            }
            return .text("")
        }
        var i = position + 1
        let closing = scalars[i] == "/"
        if closing { i += 1 }
        guard i < scalars.count, isLetter(scalars[i]) else { return nil }
        var name = ""
        while i < scalars.count, isNameScalar(scalars[i]) {
            name += String(scalars[i]).lowercased()
            i += 1
        }
        var attributes: [(String, String)] = []
        var selfClosing = false
        while i < scalars.count {
            while i < scalars.count, isSpace(scalars[i]) || scalars[i] == "/" {
                if scalars[i] == "/" { selfClosing = true }
                i += 1
            }
            guard i < scalars.count else { break }
            if scalars[i] == ">" {
                i += 1
                break
            }
            selfClosing = false
            var key = ""
            while i < scalars.count, !isSpace(scalars[i]), scalars[i] != "=", scalars[i] != ">", scalars[i] != "/" {
                key += String(scalars[i]).lowercased()
                i += 1
            }
            while i < scalars.count, isSpace(scalars[i]) { i += 1 }
            var value = ""
            if i < scalars.count, scalars[i] == "=" {
                i += 1
                while i < scalars.count, isSpace(scalars[i]) { i += 1 }
                if i < scalars.count, scalars[i] == "\"" || scalars[i] == "'" {
                    let quote = scalars[i]
                    i += 1
                    while i < scalars.count, scalars[i] != quote {
                        value.unicodeScalars.append(scalars[i])
                        i += 1
                    }
                    i += 1
                } else {
                    while i < scalars.count, !isSpace(scalars[i]), scalars[i] != ">" {
                        value.unicodeScalars.append(scalars[i])
                        i += 1
                    }
                }
            }
            if !key.isEmpty { attributes.append((key, Entities.decode(value))) }
        }
        position = min(i, scalars.count)
        return closing ? .end(name) : .start(name, attributes, selfClosing: selfClosing)
    }
}

/// Decodes the character references that matter for safety checks and re-escaping.
enum Entities {
    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "colon": ":", "tab": "\t",
        "newline": "\n",
    ]

    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semicolon = after.prefix(12).firstIndex(of: ";") else {
                out += "&"
                rest = after
                continue
            }
            let name = after[..<semicolon]
            if let value = decodeReference(String(name)) {
                out += value
                rest = after[after.index(after: semicolon)...]
            } else {
                out += "&"
                rest = after
            }
        }
        return out + rest
    }

    private static func decodeReference(_ name: String) -> String? {
        if name.hasPrefix("#x") || name.hasPrefix("#X"), let code = UInt32(name.dropFirst(2), radix: 16) {
            return Unicode.Scalar(code).map { String(Character($0)) } ?? "\u{FFFD}"
        }
        if name.hasPrefix("#"), let code = UInt32(name.dropFirst()) {
            return Unicode.Scalar(code).map { String(Character($0)) } ?? "\u{FFFD}"
        }
        return named[name.lowercased()]
    }
}
