/// A lexicon score for anger, complaint and urgency in Chinese and English, with simple negation ("not angry",
/// "不生气" do not count). Used for escalation and ticket priority.
public struct SentimentScore: Sendable, Codable, Equatable {
    /// 0 (calm) … 1 (furious).
    public var anger: Double
    /// 0 … 1.
    public var urgency: Double
    public var matched: [String]

    public var isAngry: Bool { anger >= 0.5 }
}

public struct SentimentAnalyzer: Sendable {
    public init() {}

    static let angerWords: [(String, Double)] = [
        ("投诉", 0.6), ("生气", 0.5), ("愤怒", 0.7), ("气死", 0.7), ("垃圾", 0.6), ("骗子", 0.7), ("欺骗", 0.6), ("差评", 0.5),
        ("太差", 0.5), ("恶心", 0.6), ("无语", 0.3), ("坑人", 0.6), ("退钱", 0.4), ("什么破", 0.5), ("举报", 0.6), ("315", 0.6),
        ("消协", 0.6), ("律师", 0.5), ("起诉", 0.7), ("angry", 0.5), ("furious", 0.7), ("complain", 0.5), ("complaint", 0.5),
        ("scam", 0.7), ("fraud", 0.6), ("terrible", 0.5), ("worst", 0.5), ("ridiculous", 0.5), ("unacceptable", 0.6),
        ("useless", 0.5), ("lawyer", 0.5), ("sue", 0.6), ("rubbish", 0.5), ("disgusting", 0.6),
    ]
    static let urgencyWords: [(String, Double)] = [
        ("急", 0.4), ("马上", 0.4), ("立刻", 0.5), ("赶紧", 0.4), ("尽快", 0.3), ("今天必须", 0.6), ("紧急", 0.6), ("催", 0.3),
        ("urgent", 0.6), ("asap", 0.5), ("immediately", 0.5), ("right now", 0.5), ("emergency", 0.7), ("today", 0.2),
    ]
    static let negations = ["不", "没", "别", "not ", "no ", "n't ", "never "]

    public func score(_ text: String) -> SentimentScore {
        let normalized = TextNormalizer().normalize(text)
        var anger = 0.0
        var urgency = 0.0
        var matched: [String] = []
        func scan(_ lexicon: [(String, Double)], into total: inout Double) {
            for (word, weight) in lexicon {
                guard let range = normalized.range(of: word) else { continue }
                let before = normalized[..<range.lowerBound].suffix(4)
                if Self.negations.contains(where: { before.hasSuffix($0) || before.hasSuffix($0 + " ") }) { continue }
                total += weight
                matched.append(word)
            }
        }
        scan(Self.angerWords, into: &anger)
        scan(Self.urgencyWords, into: &urgency)
        let exclamations = normalized.filter { $0 == "!" }.count
        anger += min(0.3, Double(max(0, exclamations - 1)) * 0.1)
        return SentimentScore(anger: min(1, anger), urgency: min(1, urgency), matched: matched)
    }
}
