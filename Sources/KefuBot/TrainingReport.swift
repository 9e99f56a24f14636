import Foundation

/// How a trained model did on its own training data under cross-validation, for the people who tune it: overall
/// accuracy, F1 per intent, the pairs of intents it mixes up most, and the intents with too few phrases.
public struct TrainingReport: Sendable, Codable, Equatable {
    public struct IntentScore: Sendable, Codable, Equatable {
        public var label: String
        public var f1: Double
        public var phrases: Int
    }

    public struct Confusion: Sendable, Codable, Equatable {
        /// The true intent.
        public var expected: String
        /// What the model said instead.
        public var predicted: String
        public var count: Int
    }

    public var accuracy: Double
    public var macroF1: Double
    public var folds: Int
    public var examples: Int
    public var trainSeconds: Double
    public var intents: [IntentScore]
    public var confusions: [Confusion]
    /// Intents under `TrainingReport.recommendedPhrases`, which tend to score poorly.
    public var thinIntents: [String]

    /// Below this many phrases an intent is flagged as thin.
    public static let recommendedPhrases = 10

    enum CodingKeys: String, CodingKey {
        case accuracy
        case macroF1 = "macro_f1"
        case folds, examples
        case trainSeconds = "train_seconds"
        case intents, confusions
        case thinIntents = "thin_intents"
    }

    init(outOfFold: [(predicted: String, truth: String)], examples: [LabeledExample], folds: Int, trainSeconds: Double) {
        let predicted = outOfFold.map(\.predicted)
        let truth = outOfFold.map(\.truth)
        accuracy = Metrics.accuracy(predicted, truth)
        macroF1 = Metrics.macroF1(predicted, truth)
        self.folds = folds
        self.examples = examples.count
        self.trainSeconds = trainSeconds
        var counts: [String: Int] = [:]
        for example in examples { counts[example.label, default: 0] += 1 }
        intents = counts.keys.sorted().map { label in
            IntentScore(label: label, f1: Self.f1(label, predicted, truth), phrases: counts[label] ?? 0)
        }
        var pairs: [String: Confusion] = [:]
        for (p, t) in outOfFold where p != t {
            pairs[t + "\u{0}" + p, default: Confusion(expected: t, predicted: p, count: 0)].count += 1
        }
        confusions = Array(
            pairs.values.sorted { ($1.count, $0.expected, $0.predicted) < ($0.count, $1.expected, $1.predicted) }.prefix(10))
        thinIntents = counts.filter { $0.value < Self.recommendedPhrases }.keys.sorted()
    }

    static func f1(_ label: String, _ predicted: [String], _ truth: [String]) -> Double {
        let tp = Double(zip(predicted, truth).filter { $0 == label && $1 == label }.count)
        let fp = Double(zip(predicted, truth).filter { $0 == label && $1 != label }.count)
        let fn = Double(zip(predicted, truth).filter { $0 != label && $1 == label }.count)
        return tp == 0 ? 0 : 2 * tp / (2 * tp + fp + fn)
    }
}
