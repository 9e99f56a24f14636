import Crypto
import Foundation
import KefuBot
import KefuCore
import KefuStore

/// A workspace's phrases checked for training: every intent with at least two phrases, at least two intents.
struct TrainingData: Sendable {
    static let minimumPhrases = 2
    static let minimumIntents = 2
    /// The label whose phrases teach the model what the business does not handle.
    static let outOfScopeLabel = "oos"

    let phrases: [LabeledPhrase]

    /// Refuses data the classifier cannot learn from, naming each intent that is short of phrases.
    init(_ phrases: [LabeledPhrase], intents: [BotIntent]) throws {
        var counts: [String: Int] = [:]
        for phrase in phrases { counts[phrase.label, default: 0] += 1 }
        var errors = ValidationErrors()
        for intent in intents where counts[intent.label, default: 0] < Self.minimumPhrases {
            errors.add("intents.\(intent.label)", .tooFewPhrases(min: Self.minimumPhrases))
        }
        if counts.keys.filter({ $0 != Self.outOfScopeLabel }).count < Self.minimumIntents {
            errors.add("intents", .tooFewIntents(min: Self.minimumIntents))
        }
        guard errors.isEmpty else { throw DomainError.invalid(errors) }
        self.phrases = phrases
    }

    var examples: [LabeledExample] { phrases.map { LabeledExample(text: $0.text, label: $0.label) } }
    var intentCount: Int { Set(phrases.map(\.label)).count }
    var outOfScopeLabel: String? { phrases.contains { $0.label == Self.outOfScopeLabel } ? Self.outOfScopeLabel : nil }

    /// SHA-256 over the phrases in a canonical order: the same data gives the same hash, whatever the order stored.
    var hash: String {
        var hasher = SHA256()
        for phrase in phrases.sorted(by: { ($0.label, $0.locale.rawValue, $0.text) < ($1.label, $1.locale.rawValue, $1.text) }) {
            hasher.update(data: Data("\(phrase.label)\t\(phrase.locale.rawValue)\t\(phrase.text)\n".utf8))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
