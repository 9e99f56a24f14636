import Foundation
import KefuBot
import KefuCore
import KefuStore

/// Applies a workspace's sensitive-word list to messages (see `SensitiveWordAction`). The compiled matcher is cached
/// for a few seconds per workspace and dropped at once when the list changes through this instance.
final class SensitiveWordFilter: Sendable {
    struct Entry: Sendable {
        var word: String
        var action: SensitiveWordAction
    }

    let store: Store
    private let cache = TTLCache<WorkspaceID>(ttl: .seconds(10))

    init(store: Store) {
        self.store = store
    }

    func changed() { cache.removeAll() }

    private func matcher(_ workspace: WorkspaceID) async throws -> PhraseMatcher<Entry> {
        if let cached = cache.value(workspace, as: PhraseMatcher<Entry>.self) { return cached }
        let epoch = cache.epoch
        let words = try await store.scoped(to: workspace).sensitiveWords.all()
        let matcher = PhraseMatcher(words.map { (phrase: $0.word, value: Entry(word: $0.word, action: $0.action)) })
        cache.store(workspace, matcher, loadedAt: epoch)
        return matcher
    }

    /// The listed words a customer's message contains, each once, in the order they appear.
    func incoming(_ workspace: WorkspaceID, _ text: String) async throws -> [String] {
        let matcher = try await matcher(workspace)
        guard !matcher.isEmpty else { return [] }
        return Self.unique(matcher.matches(in: text).map(\.value.word))
    }

    /// An agent's message as it may be sent: `mask` words replaced by asterisks, with every listed word it held.
    /// A `block` word refuses it (422, naming the word).
    func outgoing(_ workspace: WorkspaceID, _ text: String, field: String = "text") async throws
        -> (text: String, flags: [String])
    {
        let matcher = try await matcher(workspace)
        guard !matcher.isEmpty else { return (text, []) }
        let matches = matcher.matches(in: text)
        if let blocked = matches.first(where: { $0.value.action == .block }) {
            throw DomainError.invalid(ValidationErrors(field, .blockedWord(blocked.value.word)))
        }
        var characters = Array(text)
        for match in matches where match.value.action == .mask {
            for offset in match.characters where !characters[offset].isWhitespace { characters[offset] = "*" }
        }
        return (String(characters), Self.unique(matches.map(\.value.word)))
    }

    /// Who publishes a text: an agent's public text is masked or refused, a customer's is kept as written and flagged.
    enum Author: Sendable { case agent, customer }

    /// The one check every published text passes — chat messages, file names, ticket subjects, bodies and replies:
    /// the text as it may be published, and the listed words it held. A blocked word names `field` in the refusal.
    func screen(_ workspace: WorkspaceID, _ text: String, by author: Author, field: String = "text") async throws
        -> (text: String, flags: [String])
    {
        switch author {
        case .customer: (text, try await incoming(workspace, text))
        case .agent: try await outgoing(workspace, text, field: field)
        }
    }

    private static func unique(_ words: [String]) -> [String] {
        var seen = Set<String>()
        return words.filter { seen.insert($0).inserted }
    }
}
