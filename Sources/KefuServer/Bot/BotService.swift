import Foundation
import KefuBot
import KefuCore
import KefuStore

/// The workspace's bot: asking it, its intents and phrases, training and model versions.
public struct BotService: Sendable {
    let store: Store
    let clock: WallClock
    let runtime: BotRuntime
    let wakeUp: JobWakeUp
    static let maxTextLength = 2000

    /// The engine's decision for one message, as `kefu bot ask` prints it.
    /// The workspace's teams, to route an intent's hand-offs to.
    func teams(_ workspace: WorkspaceID) async throws -> [Team] {
        try await store.scoped(to: workspace).teams.list()
    }

    func ask(_ actor: Identity, text: String) async throws -> Decision {
        guard text.count <= Self.maxTextLength else {
            throw DomainError.invalid(ValidationErrors("text", .length(min: 0, max: Self.maxTextLength)))
        }
        let bot = try await runtime.bot(for: actor.workspace.id)
        guard let engine = bot.engine else { throw DomainError.conflict(.noActiveModel) }
        return engine.decide(text, context: ConversationContext())
    }

    /// Where each source of a decision lives, for links on the try-the-bot page.
    func sourceArticle(_ actor: Identity, id: String) async throws -> ArticleID? {
        try await runtime.bot(for: actor.workspace.id).entries[id]?.article
    }

    // MARK: intents and phrases

    func intents(_ actor: Identity) async throws -> [(BotIntent, Int)] {
        let data = store.scoped(to: actor.workspace.id)
        let counts = try await data.bot.phraseCounts()
        return try await data.bot.intents().map { ($0, counts[$0.id] ?? 0) }
    }

    func intent(_ actor: Identity, id: IntentID) async throws -> (BotIntent, [TrainingPhrase]) {
        let data = store.scoped(to: actor.workspace.id)
        return (try await data.bot.intent(id), try await data.bot.phrases(of: id))
    }

    /// Where the intent's hand-offs go: a team of the workspace, or nil for the default team.
    func setTeam(_ actor: Identity, id: IntentID, team: TeamID?) async throws -> (BotIntent, Int) {
        let data = store.scoped(to: actor.workspace.id)
        try await data.transaction { tx in try await tx.bot.setTeam(team, forIntent: id) }
        return (try await data.bot.intent(id), try await data.bot.phrases(of: id).count)
    }

    func createIntent(_ actor: Identity, label: String, nameEN: String?, nameZH: String?, flow: String?) async throws
        -> BotIntent
    {
        var errors = ValidationErrors()
        if !Self.isLabel(label) { errors.add("label", .pattern) }
        let en = try? Validate.name(nameEN ?? label, field: "name_en")
        let zh = try? Validate.name(nameZH ?? nameEN ?? label, field: "name_zh")
        if en == nil { errors.add("name_en", .text) }
        if zh == nil { errors.add("name_zh", .text) }
        if let flow, !Self.isLabel(flow) { errors.add("flow", .pattern) }
        guard errors.isEmpty, let en, let zh else { throw DomainError.invalid(errors) }
        return try await store.scoped(to: actor.workspace.id).transaction { [clock] data in
            try await data.bot.createIntent(label: label, nameEN: en, nameZH: zh, flow: flow, at: clock.now())
        }
    }

    func deleteIntent(_ actor: Identity, id: IntentID) async throws {
        try await store.scoped(to: actor.workspace.id).transaction { data in try await data.bot.deleteIntent(id) }
    }

    func addPhrase(_ actor: Identity, intent: IntentID, text: String, locale: ContentLocale, source: PhraseSource)
        async throws -> TrainingPhrase
    {
        let text = try Self.phraseText(text)
        return try await store.scoped(to: actor.workspace.id).transaction { [clock] data in
            try await data.bot.addPhrase(intent, text: text, locale: locale, source: source, at: clock.now())
        }
    }

    func deletePhrase(_ actor: Identity, id: PhraseID) async throws {
        try await store.scoped(to: actor.workspace.id).transaction { data in try await data.bot.deletePhrase(id) }
    }

    static func isLabel(_ label: String) -> Bool {
        (1...64).contains(label.count)
            && label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
            && label.first?.isLetter == true
    }

    static func phraseText(_ text: String) throws -> String {
        try Validate.text(text, field: "text", max: 500)
    }

    // MARK: training and models

    /// Checks the data and queues a training job; the same data queued twice is one job.
    func train(_ actor: Identity) async throws -> Job {
        let data = store.scoped(to: actor.workspace.id)
        let training = try TrainingData(try await data.bot.trainingData(), intents: try await data.bot.intents())
        let payload = String(
            decoding: try JSONCoding.encoder.encode(BotTrainer.Payload(requestedBy: actor.user.id)), as: UTF8.self)
        // Not inside a transaction: on PostgreSQL a lost race on the key would abort it before the lookup that follows.
        let job = try await data.jobs.enqueue(
            kind: BotTrainer.kind, key: "\(BotTrainer.kind):\(training.hash)", payload: payload, maxAttempts: 3,
            at: clock.now())
        await wakeUp.signal()
        return job
    }

    func job(_ actor: Identity, id: JobID) async throws -> Job {
        try await store.scoped(to: actor.workspace.id).jobs.job(id)
    }

    func latestTraining(_ actor: Identity) async throws -> Job? {
        try await store.scoped(to: actor.workspace.id).jobs.latest(kind: BotTrainer.kind)
    }

    func models(_ actor: Identity) async throws -> [BotModelVersion] {
        try await store.scoped(to: actor.workspace.id).bot.models()
    }

    func activate(_ actor: Identity, id: BotModelID) async throws -> BotModelVersion {
        let version = try await store.scoped(to: actor.workspace.id).transaction { [clock] data in
            // The change record first: it takes the workspace's lock, so two activations cannot interleave.
            try await data.knowledge.recordChange([KnowledgeEntry.model], at: clock.now())
            return try await data.bot.activate(id)
        }
        await runtime.changed(actor.workspace.id)
        return version
    }
}
