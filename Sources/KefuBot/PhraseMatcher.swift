/// Finds every listed phrase in a text in one pass (Aho–Corasick over folded characters, see `TextFolding`), so a
/// list of thousands of words costs no more per message than a list of ten. Matches are reported as ranges of the
/// original characters. Phrases in Latin letters or digits match whole words only ("ass" is not found in "class");
/// Chinese phrases match anywhere, and white space or punctuation typed between the characters does not hide them.
public struct PhraseMatcher<Value: Sendable>: Sendable {
    public struct Match: Sendable {
        /// Offsets of the first and last original `Character` of the match.
        public var characters: ClosedRange<Int>
        public var value: Value
    }

    private struct Phrase: Sendable {
        var length: Int
        var wholeWord: Bool
        var value: Value
    }

    private var next: [[Unicode.Scalar: Int]] = [[:]]
    private var failure: [Int] = [0]
    private var output: [[Int]] = [[]]
    private var phrases: [Phrase] = []

    public init(_ entries: [(phrase: String, value: Value)]) {
        for (text, value) in entries {
            let folded = text.flatMap(TextFolding.fold)
            guard !folded.isEmpty else { continue }
            var state = 0
            for scalar in folded {
                if let known = next[state][scalar] {
                    state = known
                } else {
                    next.append([:])
                    failure.append(0)
                    output.append([])
                    next[state][scalar] = next.count - 1
                    state = next.count - 1
                }
            }
            let wholeWord = folded.allSatisfy { !Tokenizer.isCJK($0) }
            output[state].append(phrases.count)
            phrases.append(Phrase(length: folded.count, wholeWord: wholeWord, value: value))
        }
        buildFailureLinks()
    }

    public var isEmpty: Bool { phrases.isEmpty }

    private mutating func buildFailureLinks() {
        var queue = Array(next[0].values)
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            for (scalar, child) in next[state] {
                queue.append(child)
                var fallback = failure[state]
                while fallback != 0, next[fallback][scalar] == nil { fallback = failure[fallback] }
                let target = next[fallback][scalar] ?? 0
                failure[child] = target == child ? 0 : target
                output[child].append(contentsOf: output[failure[child]])
            }
        }
    }

    public func matches(in text: String) -> [Match] {
        guard !phrases.isEmpty else { return [] }
        let characters = Array(text)
        var origin: [Int] = []
        var state = 0
        var found: [Match] = []
        for (offset, character) in characters.enumerated() {
            for scalar in TextFolding.fold(character) {
                origin.append(offset)
                while state != 0, next[state][scalar] == nil { state = failure[state] }
                state = next[state][scalar] ?? 0
                for index in output[state] {
                    let phrase = phrases[index]
                    let range = origin[origin.count - phrase.length]...offset
                    if phrase.wholeWord, !Self.isWholeWord(range, in: characters) { continue }
                    found.append(Match(characters: range, value: phrase.value))
                }
            }
        }
        return found
    }

    private static func isWholeWord(_ range: ClosedRange<Int>, in characters: [Character]) -> Bool {
        let before = range.lowerBound > 0 ? characters[range.lowerBound - 1] : nil
        let after = range.upperBound + 1 < characters.count ? characters[range.upperBound + 1] : nil
        return !(before.map(TextFolding.isWordCharacter) ?? false) && !(after.map(TextFolding.isWordCharacter) ?? false)
    }
}
