import Foundation

/// The figures `kefu bot eval --json` prints; key names are fixed.
public struct EvaluationReport: Sendable, Codable, Equatable {
    public var accuracy: Double
    public var macroF1: Double
    public var nTest: Int
    public var trainSeconds: Double
    public var p50Ms: Double
    public var p99Ms: Double
    public var inScopeAccuracy: Double?
    public var oosRecall: Double?
    public var oosPrecision: Double?
    public var threshold: Double?

    enum CodingKeys: String, CodingKey {
        case accuracy
        case macroF1 = "macro_f1"
        case nTest = "n_test"
        case trainSeconds = "train_seconds"
        case p50Ms = "p50_ms"
        case p99Ms = "p99_ms"
        case inScopeAccuracy = "in_scope_accuracy"
        case oosRecall = "oos_recall"
        case oosPrecision = "oos_precision"
        case threshold
    }
}

/// Trains on one set and scores another. With an out-of-scope label, an utterance counts as out of scope when the
/// engine would hand off for it (`BotModel.handoffReason`), with a threshold chosen by cross-validation on the
/// training set only.
public struct Evaluation: Sendable {
    public var options = TrainingOptions()
    /// Folds whose out-of-fold predictions fit the temperatures and the threshold; three, as in the figures of
    /// docs/BENCHMARKS.md, which keeps `kefu bot train` on CLINC150 to about two minutes.
    public var folds = 3
    public var inScopeHandoffRate = ThresholdChoice.defaultInScopeHandoffRate

    public init() {}

    /// Trains the classifier, then fits its temperature and the hand-off threshold on out-of-fold predictions.
    public func trainModel(_ train: [LabeledExample], oosLabel: String?) throws -> BotModel {
        try timedTraining(train, oosLabel: oosLabel).model
    }

    /// The model and the seconds its final training took (without the cross-validation around it). Without
    /// `calibrated`, no temperature or threshold is fitted: the top class is the same either way.
    func timedTraining(_ train: [LabeledExample], oosLabel: String?, calibrated: Bool = true) throws -> (
        model: BotModel, seconds: Double
    ) {
        let result = try reportedTraining(train, oosLabel: oosLabel, calibrated: calibrated)
        return (result.model, result.seconds)
    }

    /// Trains exactly as `trainModel` does and also reports how the out-of-fold predictions that calibrated the
    /// model scored: accuracy, per-intent F1 and the most confused pairs. No extra training runs for the report.
    public func trainWithReport(_ train: [LabeledExample], oosLabel: String?) throws -> (BotModel, TrainingReport) {
        let result = try reportedTraining(train, oosLabel: oosLabel, calibrated: true)
        let report = TrainingReport(
            outOfFold: result.outOfFold.map { score in
                let best = score.logits.indices.max { score.logits[$0] < score.logits[$1] }
                return (predicted: best.map { score.labels[$0] } ?? "", truth: score.trueLabel)
            }, examples: train, folds: folds, trainSeconds: result.seconds)
        return (result.model, report)
    }

    private func reportedTraining(_ train: [LabeledExample], oosLabel: String?, calibrated: Bool) throws -> (
        model: BotModel, seconds: Double, outOfFold: [FoldScore]
    ) {
        let clock = ContinuousClock()
        let start = clock.now
        var classifier = try IntentClassifier.train(train, options: options)
        let seconds = (clock.now - start).seconds
        // The threshold needs no out-of-scope examples: it comes from in-scope confidences.
        guard calibrated, Set(train.map(\.label)).count > 1, train.count >= folds * 2 else {
            return (BotModel(classifier: classifier, threshold: 0, outOfScopeLabel: oosLabel), seconds, [])
        }
        let outOfFold = try crossValidatedScores(train)
        classifier.temperature = Calibration.fitTemperature(outOfFold.map { ($0.logits, $0.target) })
        classifier.linearTemperature =
            classifier.network == nil
            ? classifier.temperature : Calibration.fitTemperature(outOfFold.map { ($0.linearLogits, $0.target) })
        // The threshold applies to the linear model's confidence, which judges scope (BotModel.handoffReason).
        let calibrated = outOfFold.map {
            Calibration.top(logits: $0.linearLogits, labels: $0.labels, temperature: classifier.linearTemperature)
        }
        let threshold = ThresholdChoice.choose(
            predictions: zip(calibrated, outOfFold).map { ($0.0.label, $0.0.probability, $0.1.trueLabel) },
            oosLabel: oosLabel ?? "", inScopeHandoffRate: inScopeHandoffRate)
        return (BotModel(classifier: classifier, threshold: threshold, outOfScopeLabel: oosLabel), seconds, outOfFold)
    }

    public func run(train: [LabeledExample], test: [LabeledExample], oosLabel: String?) throws -> EvaluationReport {
        let clock = ContinuousClock()
        // Closed-set accuracy needs no threshold, so the cross-validation that fits it is skipped.
        let (fitted, trainSeconds) = try timedTraining(train, oosLabel: oosLabel, calibrated: oosLabel != nil)
        let model = fitted.classifier
        var predicted: [String] = []
        var latencies: [Double] = []
        predicted.reserveCapacity(test.count)
        for example in test {
            let t0 = clock.now
            let assessment = model.assess(example.text)
            latencies.append((clock.now - t0).seconds * 1000)
            var label = assessment.intents.first?.label ?? ""
            if let oosLabel, fitted.handoffReason(assessment) != nil { label = oosLabel }
            predicted.append(label)
        }
        let truth = test.map(\.label)
        latencies.sort()
        var report = EvaluationReport(
            accuracy: Metrics.accuracy(predicted, truth), macroF1: Metrics.macroF1(predicted, truth), nTest: test.count,
            trainSeconds: trainSeconds, p50Ms: Metrics.percentile(latencies, 0.5), p99Ms: Metrics.percentile(latencies, 0.99))
        if let oosLabel {
            let inScope = zip(predicted, truth).filter { $0.1 != oosLabel }
            report.inScopeAccuracy = inScope.isEmpty ? 0 : Double(inScope.filter { $0.0 == $0.1 }.count) / Double(inScope.count)
            let truePositive = zip(predicted, truth).filter { $0.0 == oosLabel && $0.1 == oosLabel }.count
            let actual = truth.filter { $0 == oosLabel }.count
            let flagged = predicted.filter { $0 == oosLabel }.count
            report.oosRecall = actual == 0 ? 0 : Double(truePositive) / Double(actual)
            report.oosPrecision = flagged == 0 ? 0 : Double(truePositive) / Double(flagged)
            report.threshold = fitted.threshold
        }
        return report
    }

    struct FoldScore {
        var logits: [Float]
        var linearLogits: [Float]
        var labels: [String]
        var target: Int
        var trueLabel: String
    }

    /// Out-of-fold logits for every training example (stratified by order of appearance within each label).
    func crossValidatedScores(_ examples: [LabeledExample]) throws -> [FoldScore] {
        var fold = [Int](repeating: 0, count: examples.count)
        var seen: [String: Int] = [:]
        for (i, e) in examples.enumerated() {
            fold[i] = seen[e.label, default: 0] % folds
            seen[e.label, default: 0] += 1
        }
        var scores: [FoldScore] = []
        for f in 0..<folds {
            let train = examples.indices.filter { fold[$0] != f }.map { examples[$0] }
            let held = examples.indices.filter { fold[$0] == f }.map { examples[$0] }
            let model = try IntentClassifier.train(train, options: options)
            for e in held {
                let (combined, linear) = model.rawScores(e.text)
                scores.append(
                    FoldScore(
                        logits: combined, linearLogits: linear, labels: model.labels,
                        target: model.labels.firstIndex(of: e.label) ?? -1, trueLabel: e.label))
            }
        }
        return scores
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Accuracy, macro-F1 and percentiles.
public enum Metrics {
    public static func accuracy(_ predicted: [String], _ truth: [String]) -> Double {
        guard !truth.isEmpty else { return 0 }
        return Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(truth.count)
    }

    public static func macroF1(_ predicted: [String], _ truth: [String]) -> Double {
        let labels = Set(truth)
        guard !labels.isEmpty else { return 0 }
        var total = 0.0
        for label in labels {
            let tp = Double(zip(predicted, truth).filter { $0 == label && $1 == label }.count)
            let fp = Double(zip(predicted, truth).filter { $0 == label && $1 != label }.count)
            let fn = Double(zip(predicted, truth).filter { $0 != label && $1 == label }.count)
            total += tp == 0 ? 0 : 2 * tp / (2 * tp + fp + fn)
        }
        return total / Double(labels.count)
    }

    /// Nearest-rank percentile of sorted values.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
