import Foundation
import KefuBot
import KefuCore
import KefuStore

/// The workspace's sensitive-word list (supervisors and above). Changes are audited and reach the filter at once on
/// this instance, within seconds on others.
struct SensitiveWordService: Sendable {
    let store: Store
    let clock: WallClock
    let filter: SensitiveWordFilter
    var audit: AuditTrail { AuditTrail(clock: clock) }

    func list(_ actor: Identity) async throws -> [SensitiveWord] {
        try await store.scoped(to: actor.workspace.id).sensitiveWords.all()
    }

    func add(_ actor: Identity, word: String, action: SensitiveWordAction, ip: String?) async throws -> SensitiveWord {
        let word = try Validate.name(word, field: "word", maxLength: 64)
        // A word of punctuation alone would never match: the matcher skips punctuation.
        guard word.contains(where: { !TextFolding.fold($0).isEmpty }) else {
            throw DomainError.invalid(ValidationErrors("word", .text))
        }
        let added = try await store.scoped(to: actor.workspace.id).transaction { [audit, clock] data in
            let added = try await data.sensitiveWords.add(word, action: action, at: clock.now())
            try await data.audit.append(
                audit.event(
                    .settingsChanged, actor: actor.user, target: "sensitive_word", ip: ip,
                    after: AuditTrail.json(["word": word, "action": action.rawValue])))
            return added
        }
        filter.changed()
        return added
    }

    func setAction(_ actor: Identity, _ id: SensitiveWordID, _ action: SensitiveWordAction, ip: String?) async throws
        -> SensitiveWord
    {
        let changed = try await store.scoped(to: actor.workspace.id).transaction { [audit] data in
            let changed = try await data.sensitiveWords.setAction(id, action)
            try await data.audit.append(
                audit.event(
                    .settingsChanged, actor: actor.user, target: "sensitive_word", ip: ip,
                    after: AuditTrail.json(["word": changed.word, "action": action.rawValue])))
            return changed
        }
        filter.changed()
        return changed
    }

    func delete(_ actor: Identity, _ id: SensitiveWordID, ip: String?) async throws {
        try await store.scoped(to: actor.workspace.id).transaction { [audit] data in
            let word = try await data.sensitiveWords.all().first { $0.id == id }
            try await data.sensitiveWords.delete(id)
            try await data.audit.append(
                audit.event(
                    .settingsChanged, actor: actor.user, target: "sensitive_word", ip: ip,
                    before: AuditTrail.json(["word": word?.word ?? "", "action": word?.action.rawValue ?? ""])))
        }
        filter.changed()
    }
}
