import Foundation

/// Where a training example came from.
public enum ExampleSource: String, Sendable, Codable {
    case seed, agent, feedback
}

/// Retraining from agents' corrections and customers' thumbs-down: corrections win over older examples of the same
/// text, and each retraining gets the next version number so the server can keep the old model to roll back to.
public struct Learner: Sendable {
    public var evaluation = Evaluation()

    public init() {}

    /// The training set with corrections applied: an example whose normalised text was corrected takes the new label.
    public func merge(base: [LabeledExample], corrections: [LabeledExample]) -> [LabeledExample] {
        let normalizer = TextNormalizer()
        var corrected: [String: String] = [:]
        for c in corrections { corrected[normalizer.normalize(c.text)] = c.label }
        let kept = base.filter { corrected[normalizer.normalize($0.text)] == nil }
        var seen = Set<String>()
        let added = corrections.reversed().filter { seen.insert(normalizer.normalize($0.text)).inserted }.reversed()
        return kept + added
    }

    public func retrain(
        base: [LabeledExample], corrections: [LabeledExample], previous: BotModel?, oosLabel: String?
    ) throws -> BotModel {
        var model = try evaluation.trainModel(merge(base: base, corrections: corrections), oosLabel: oosLabel)
        model.version = (previous?.version ?? 0) + 1
        return model
    }
}
