/// Splits normalised text into the units the models count. Chinese and other CJK text gives character unigrams and
/// bigrams (no dictionary needed); Latin text gives words with light stemming; digit runs stay whole, and long ones
/// (order numbers, phone numbers) also give a shape token such as `#num9` so that unseen numbers still match.
/// Emoji and punctuation separate tokens and are otherwise dropped.
public struct Tokenizer: Sendable {
    public init() {}

    /// One run of same-kind characters.
    public enum Piece: Equatable, Sendable {
        case word(String)
        case number(String)
        case cjk(String)
    }

    public func pieces(_ normalized: String) -> [Piece] {
        enum Kind { case none, word, number, cjk }
        var pieces: [Piece] = []
        var current = String.UnicodeScalarView()
        var kind = Kind.none
        func flush() {
            if !current.isEmpty {
                let text = String(current)
                switch kind {
                case .word: pieces.append(.word(text))
                case .number: pieces.append(.number(text))
                case .cjk: pieces.append(.cjk(text))
                case .none: break
                }
            }
            current = String.UnicodeScalarView()
            kind = .none
        }
        for scalar in normalized.unicodeScalars {
            if Self.isCJK(scalar) {
                if kind != .cjk { flush() }
                kind = .cjk
            } else if ("0"..."9").contains(scalar) {
                if kind != .word && kind != .number {
                    flush()
                    kind = .number
                }
            } else if scalar.properties.isAlphabetic || (scalar == "'" && kind == .word) {
                if kind == .number {
                    kind = .word  // "15kg", "iphone15": one word
                } else if kind != .word {
                    flush()
                    kind = .word
                }
            } else {
                flush()
                continue
            }
            current.append(scalar)
        }
        flush()
        return pieces
    }

    /// Word-level tokens: stemmed words, whole numbers with their shape, CJK unigrams and bigrams.
    public func tokens(_ normalized: String) -> [String] {
        var tokens: [String] = []
        for piece in pieces(normalized) {
            switch piece {
            case .word(let w):
                let word = w.replacingOccurrences(of: "'", with: "")
                if !word.isEmpty { tokens.append(Stemmer.stem(word)) }
            case .number(let n):
                tokens.append(n)
                if n.count >= 5 { tokens.append("#num\(min(n.count, 20))") }
            case .cjk(let text):
                let chars = Array(text)
                for (i, c) in chars.enumerated() {
                    tokens.append(String(c))
                    if i + 1 < chars.count { tokens.append(String(chars[i...i + 1])) }
                }
            }
        }
        return tokens
    }

    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0xF900...0xFAFF, 0x3040...0x30FF, 0xAC00...0xD7AF: true
        default: false
        }
    }
}

/// A light English stemmer: enough to meet "charges"/"charged"/"charging" at "charg", no dictionary.
enum Stemmer {
    static func stem(_ word: String) -> String {
        guard word.count > 3, word.unicodeScalars.allSatisfy(\.isASCII) else { return word }
        for (suffix, keep) in [("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("ly", ""), ("s", "")] {
            if word.hasSuffix(suffix), word.count - suffix.count >= 3 {
                if suffix == "s" && (word.hasSuffix("ss") || word.hasSuffix("us")) { return word }
                var stem = Array(word.dropLast(suffix.count))
                // "shipping" → "shipp" → "ship"
                if keep.isEmpty, (suffix == "ing" || suffix == "ed"), stem.count >= 4,
                    stem[stem.count - 1] == stem[stem.count - 2],
                    !"lsz".contains(stem[stem.count - 1])
                {
                    stem.removeLast()
                }
                return String(stem) + keep
            }
        }
        return word
    }
}

/// Words too common to tell FAQ entries apart; dropped from retrieval (the classifier keeps them: "how" and "why"
/// help tell intents apart).
enum StopWords {
    static let english: Set<String> = [
        "a", "an", "the", "i", "me", "my", "we", "our", "you", "your", "it", "is", "are", "was", "be", "do", "doe", "did",
        "how", "what", "when", "where", "which", "who", "why", "can", "could", "would", "will", "should", "to", "of", "in",
        "on", "for", "at", "by", "with", "and", "or", "not", "this", "that", "there", "have", "has", "had", "am", "please",
        "so", "if", "about", "get", "from", "any", "some", "does",
    ]
    static let chinese: Set<String> = ["的", "了", "吗", "呢", "啊", "吧", "我", "你", "是", "在", "有", "么", "怎", "什", "请", "一", "下"]

    static func contains(_ token: String) -> Bool { english.contains(token) || chinese.contains(token) }
}
