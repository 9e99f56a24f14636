import Foundation

/// Temperature scaling: one number that makes softmax probabilities match observed accuracy on held-out data.
public enum Calibration {
    /// The temperature in [0.25, 4] minimising held-out negative log-likelihood (golden-section search).
    public static func fitTemperature(_ samples: [(logits: [Float], target: Int)]) -> Float {
        let usable = samples.filter { $0.target >= 0 }
        guard !usable.isEmpty else { return 1 }
        func loss(_ t: Float) -> Double {
            var total = 0.0
            for s in usable {
                var p = s.logits
                softmax(&p, temperature: t)
                total -= log(Double(max(p[s.target], 1e-9)))
            }
            return total
        }
        var a: Float = 0.25
        var b: Float = 4
        let ratio: Float = 0.618_034
        for _ in 0..<30 {
            let c = b - ratio * (b - a)
            let d = a + ratio * (b - a)
            if loss(c) < loss(d) { b = d } else { a = c }
        }
        return (a + b) / 2
    }

    static func top(logits: [Float], labels: [String], temperature: Float) -> IntentClassifier.Score {
        var p = logits
        softmax(&p, temperature: temperature)
        guard let best = p.indices.max(by: { p[$0] < p[$1] }) else { return .init(label: "", probability: 0) }
        return .init(label: labels[best], probability: Double(p[best]))
    }

    /// Expected calibration error over `bins` equal-width confidence bins.
    public static func expectedCalibrationError(_ predictions: [(confidence: Double, correct: Bool)], bins: Int = 10) -> Double {
        guard !predictions.isEmpty else { return 0 }
        var error = 0.0
        for b in 0..<bins {
            let lower = Double(b) / Double(bins)
            let upper = Double(b + 1) / Double(bins)
            let inBin = predictions.filter { $0.confidence > lower && $0.confidence <= upper }
            guard !inBin.isEmpty else { continue }
            let accuracy = Double(inBin.filter(\.correct).count) / Double(inBin.count)
            let confidence = inBin.map(\.confidence).reduce(0, +) / Double(inBin.count)
            error += Double(inBin.count) / Double(predictions.count) * abs(accuracy - confidence)
        }
        return error
    }
}

/// Picks the hand-off threshold from out-of-fold predictions on the training set.
///
/// Out-of-scope examples are few in training data and their share in real traffic is unknown, so a threshold tuned
/// on them transfers poorly (precision depends on that share). Instead the threshold is the confidence below which
/// a fixed share of *in-scope* training questions fall, out of fold: it bounds how often a question the bot could
/// answer is handed off, whatever the out-of-scope share turns out to be.
public enum ThresholdChoice {
    /// Share of in-scope questions the bot may hand off for low confidence; chosen on the training sets.
    public static let defaultInScopeHandoffRate = 0.03

    public static func choose(
        predictions: [(label: String, probability: Double, truth: String)], oosLabel: String,
        inScopeHandoffRate: Double = defaultInScopeHandoffRate
    ) -> Double {
        let confidences = predictions.filter { $0.truth != oosLabel && $0.label != oosLabel }.map(\.probability).sorted()
        guard !confidences.isEmpty else { return 0 }
        let index = min(confidences.count - 1, Int(Double(confidences.count) * inScopeHandoffRate))
        return min(0.9, confidences[index])
    }
}

/// How well the probabilities mean what they say, on out-of-fold predictions of a training set.
public struct CalibrationReport: Sendable, Codable, Equatable {
    public var temperature: Double
    /// Expected calibration error of the top-class probability with the raw softmax (temperature 1).
    public var errorBefore: Double
    /// The same after temperature scaling.
    public var errorAfter: Double

    /// Fits the temperature on half of the out-of-fold predictions and measures both errors on the other half.
    public static func measure(
        _ examples: [LabeledExample], folds: Int = 3, options: TrainingOptions = TrainingOptions()
    ) throws -> CalibrationReport {
        var evaluation = Evaluation()
        evaluation.folds = folds
        evaluation.options = options
        let scores = try evaluation.crossValidatedScores(examples)
        let fit = scores.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let check = scores.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let temperature = Calibration.fitTemperature(fit.map { ($0.logits, $0.target) })
        func error(_ t: Float) -> Double {
            Calibration.expectedCalibrationError(
                check.map { s in
                    let top = Calibration.top(logits: s.logits, labels: s.labels, temperature: t)
                    return (top.probability, top.label == s.trueLabel)
                })
        }
        return CalibrationReport(temperature: Double(temperature), errorBefore: error(1), errorAfter: error(temperature))
    }
}
