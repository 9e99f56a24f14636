/// The terms a full-text index stores for a message and a search looks up, after the bot's normalisation (full-width,
/// traditional and simplified Chinese, case meet): Latin words stemmed, numbers whole, Chinese as character bigrams
/// (and single characters, so a one-character search finds them). Every term is spelled in `[a-z0-9]` (others, and
/// words starting with `x` or `w`, as `x` + UTF-8 hex), so SQLite's FTS5 and PostgreSQL's `simple` text search take
/// them as they are, and no term can look like an index's own `w…` workspace term.
public enum SearchTerms {
    /// Terms stored for a text; each once.
    public static func index(_ text: String) -> [String] {
        var seen = Set<String>()
        return raw(text, unigrams: true).map(encode).filter { seen.insert($0).inserted }
    }

    /// Terms a search for `query` must all find: Chinese as bigrams only (a single character alone).
    public static func query(_ query: String) -> [String] {
        var seen = Set<String>()
        return raw(query, unigrams: false).map(encode).filter { seen.insert($0).inserted }
    }

    private static func raw(_ text: String, unigrams: Bool) -> [String] {
        var terms: [String] = []
        for piece in Tokenizer().pieces(TextNormalizer().normalize(text)) {
            switch piece {
            case .word(let word):
                let plain = word.replacingOccurrences(of: "'", with: "")
                if !plain.isEmpty { terms.append(Stemmer.stem(plain)) }
            case .number(let number): terms.append(number)
            case .cjk(let run):
                let characters = Array(run)
                if characters.count == 1 || unigrams { terms.append(contentsOf: characters.map { String($0) }) }
                for i in characters.indices.dropLast() { terms.append(String(characters[i...i + 1])) }
            }
        }
        return terms
    }

    static func encode(_ term: String) -> String {
        let isPlain = term.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
        // `x…` spells encoded terms and `w…` the index's workspace terms: a typed word never looks like either.
        if isPlain && term.first != "x" && term.first != "w" { return term }
        return "x" + term.utf8.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
