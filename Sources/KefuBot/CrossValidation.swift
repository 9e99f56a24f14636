import Foundation

/// K-fold cross-validation of the whole training pipeline (features, classifier, calibration, threshold) on one
/// labelled set: the figures we tune on, since the test sets are held out.
public struct CrossValidation: Sendable {
    public var folds = 5
    /// Folds of the inner cross-validation that picks each outer fold's threshold.
    public var innerFolds = 3
    public var options = TrainingOptions()
    public var inScopeHandoffRate = ThresholdChoice.defaultInScopeHandoffRate

    public init() {}

    public struct Result: Sendable, Codable, Equatable {
        public var accuracy: Double
        public var inScopeAccuracy: Double?
        public var oosRecall: Double?
        /// In-scope questions handed off, as a share of in-scope questions.
        public var inScopeHandoffRate: Double?
        public var meanThreshold: Double?

        /// Out-of-scope precision if out-of-scope questions made up `share` of traffic.
        public func projectedOOSPrecision(share: Double) -> Double? {
            guard let recall = oosRecall, let rate = inScopeHandoffRate else { return nil }
            let caught = recall * share
            let wrong = rate * (1 - share)
            return caught + wrong == 0 ? 0 : caught / (caught + wrong)
        }
    }

    public func run(_ examples: [LabeledExample], oosLabel: String?) throws -> Result {
        var fold = [Int](repeating: 0, count: examples.count)
        var seen: [String: Int] = [:]
        for (i, e) in examples.enumerated() {
            fold[i] = seen[e.label, default: 0] % folds
            seen[e.label, default: 0] += 1
        }
        var correct = 0
        var inScope = 0
        var inScopeCorrect = 0
        var inScopeHandedOff = 0
        var oos = 0
        var oosCaught = 0
        var thresholds: [Double] = []
        for f in 0..<folds {
            let train = examples.indices.filter { fold[$0] != f }.map { examples[$0] }
            let test = examples.indices.filter { fold[$0] == f }.map { examples[$0] }
            var evaluation = Evaluation()
            evaluation.folds = innerFolds
            evaluation.options = options
            evaluation.inScopeHandoffRate = inScopeHandoffRate
            let model: BotModel
            if oosLabel != nil {
                model = try evaluation.trainModel(train, oosLabel: oosLabel)
            } else {
                model = BotModel(classifier: try IntentClassifier.train(train, options: options), threshold: 0)
            }
            thresholds.append(model.threshold)
            for e in test {
                let assessment = model.classifier.assess(e.text)
                guard let top = assessment.intents.first else { continue }
                let flagged = oosLabel != nil && model.handoffReason(assessment) != nil
                let predicted = flagged ? (oosLabel ?? top.label) : top.label
                if predicted == e.label { correct += 1 }
                if e.label == oosLabel {
                    oos += 1
                    if flagged { oosCaught += 1 }
                } else {
                    inScope += 1
                    if predicted == e.label { inScopeCorrect += 1 }
                    if flagged { inScopeHandedOff += 1 }
                }
            }
        }
        var result = Result(accuracy: Double(correct) / Double(max(1, examples.count)))
        if oosLabel != nil {
            result.inScopeAccuracy = Double(inScopeCorrect) / Double(max(1, inScope))
            result.oosRecall = Double(oosCaught) / Double(max(1, oos))
            result.inScopeHandoffRate = Double(inScopeHandedOff) / Double(max(1, inScope))
            result.meanThreshold = thresholds.reduce(0, +) / Double(max(1, thresholds.count))
        }
        return result
    }
}

/// A synthetic knowledge base from labelled questions, for retrieval benchmarks: each entry takes two questions.
public enum SyntheticKnowledgeBase {
    public static func make(from examples: [LabeledExample], entries: Int) -> KnowledgeBase {
        var kb = KnowledgeBase()
        guard !examples.isEmpty else { return kb }
        for i in 0..<entries {
            let a = examples[(2 * i) % examples.count]
            let b = examples[(2 * i + 1) % examples.count]
            kb.upsert(
                FAQEntry(
                    id: "e\(i)", questions: [a.text, b.text],
                    answer: "Answer \(i) about \(a.label.replacingOccurrences(of: "_", with: " ")): \(b.text)", intent: a.label))
        }
        return kb
    }
}
