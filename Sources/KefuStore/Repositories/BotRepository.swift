import FluentKit
import Foundation
import KefuCore

/// One training phrase with its intent's label, as training reads them.
public struct LabeledPhrase: Sendable, Equatable {
    public var label: String
    public var text: String
    public var locale: ContentLocale
}

/// A stored model's bytes with its version.
public struct StoredBotModel: Sendable {
    public var info: BotModelVersion
    public var blob: Data
}

/// Intents, training phrases, flows and trained model versions of the bound workspace.
public protocol BotRepository: Sendable {
    func intents() async throws -> [BotIntent]
    /// The team conversations handed off with this intent go to, if one is set.
    func team(forIntent label: String) async throws -> TeamID?
    func setTeam(_ team: TeamID?, forIntent id: IntentID) async throws
    func intent(_ id: IntentID) async throws -> BotIntent
    func intent(label: String) async throws -> BotIntent?
    func createIntent(label: String, nameEN: String, nameZH: String, flow: String?, at: Date) async throws -> BotIntent
    func deleteIntent(_ id: IntentID) async throws
    /// Phrase counts per intent.
    func phraseCounts() async throws -> [IntentID: Int]
    func phrases(of intent: IntentID) async throws -> [TrainingPhrase]
    func addPhrase(_ intent: IntentID, text: String, locale: ContentLocale, source: PhraseSource, at: Date) async throws
        -> TrainingPhrase
    func deletePhrase(_ id: PhraseID) async throws
    /// Adds many phrases at once, skipping those the intent already has; returns how many were added.
    func addPhrases(_ phrases: [(intent: IntentID, text: String, locale: ContentLocale)], source: PhraseSource, at: Date)
        async throws -> Int
    /// Every phrase with its label, in a stable order.
    func trainingData() async throws -> [LabeledPhrase]

    func flows() async throws -> [String: String]
    func saveFlow(id: String, definition: String, at: Date) async throws

    func models() async throws -> [BotModelVersion]
    func activeModel() async throws -> StoredBotModel?
    /// Stores a new version numbered after the latest; active when `activate`.
    func saveModel(
        blob: Data, metrics: String, phraseCount: Int, intentCount: Int, dataHash: String, by: UserID?, activate: Bool,
        at: Date
    ) async throws -> BotModelVersion
    func activate(_ id: BotModelID) async throws -> BotModelVersion
}

struct SQLBotRepository: BotRepository {
    let scope: WorkspaceScope

    func team(forIntent label: String) async throws -> TeamID? {
        try await scope.query(IntentModel.self).filter(\.$label == label).first()?.teamID.map { TeamID($0) }
    }

    func setTeam(_ team: TeamID?, forIntent id: IntentID) async throws {
        guard let intent = try await scope.query(IntentModel.self).filter(\.$id == id.uuid).first() else {
            throw DomainError.notFound(.intent)
        }
        if let team, try await scope.query(TeamModel.self).filter(\.$id == team.uuid).first() == nil {
            throw DomainError.notFound(.team)
        }
        intent.teamID = team?.uuid
        try await intent.update(on: scope.db)
    }

    func intents() async throws -> [BotIntent] {
        try await scope.query(IntentModel.self).sort(\.$label).all().map { try $0.record() }
    }

    func intent(_ id: IntentID) async throws -> BotIntent { try await intentModel(id).record() }

    private func intentModel(_ id: IntentID) async throws -> IntentModel {
        guard let model = try await scope.query(IntentModel.self).filter(\.$id == id.uuid).first() else {
            throw DomainError.notFound(.intent)
        }
        return model
    }

    func intent(label: String) async throws -> BotIntent? {
        try await scope.query(IntentModel.self).filter(\.$label == label).first()?.record()
    }

    func createIntent(label: String, nameEN: String, nameZH: String, flow: String?, at: Date) async throws -> BotIntent {
        let model = IntentModel()
        model.id = UUID()
        model.workspaceID = scope.workspaceID.uuid
        model.label = label
        model.nameEN = nameEN
        model.nameZH = nameZH
        model.flow = flow
        model.createdAt = at
        try await createUnique(model, on: scope.db, conflict: .intentLabelTaken)
        return try model.record()
    }

    func deleteIntent(_ id: IntentID) async throws {
        let model = try await intentModel(id)
        try await scope.query(PhraseModel.self).filter(\.$intentID == id.uuid).delete()
        try await model.delete(on: scope.db)
    }

    func phraseCounts() async throws -> [IntentID: Int] {
        var counts: [IntentID: Int] = [:]
        for phrase in try await scope.query(PhraseModel.self).field(\.$id).field(\.$intentID).all() {
            counts[IntentID(phrase.intentID), default: 0] += 1
        }
        return counts
    }

    func phrases(of intent: IntentID) async throws -> [TrainingPhrase] {
        _ = try await intentModel(intent)
        return try await scope.query(PhraseModel.self).filter(\.$intentID == intent.uuid).sort(\.$createdAt, .descending)
            .sort(\.$text).all().map { try $0.record() }
    }

    func addPhrase(_ intent: IntentID, text: String, locale: ContentLocale, source: PhraseSource, at: Date) async throws
        -> TrainingPhrase
    {
        _ = try await intentModel(intent)
        let model = PhraseModel()
        model.id = UUID()
        model.workspaceID = scope.workspaceID.uuid
        model.intentID = intent.uuid
        model.text = text
        model.locale = locale.rawValue
        model.source = source.rawValue
        model.createdAt = at
        try await createUnique(model, on: scope.db, conflict: .phraseExists)
        return try model.record()
    }

    func deletePhrase(_ id: PhraseID) async throws {
        guard let model = try await scope.query(PhraseModel.self).filter(\.$id == id.uuid).first() else {
            throw DomainError.notFound(.phrase)
        }
        try await model.delete(on: scope.db)
    }

    func addPhrases(_ phrases: [(intent: IntentID, text: String, locale: ContentLocale)], source: PhraseSource, at: Date)
        async throws -> Int
    {
        var existing = Set(
            try await scope.query(PhraseModel.self).all().map { "\($0.intentID.uuidString)\u{0}\($0.text)" })
        let own = Set(try await scope.query(IntentModel.self).all().map { try $0.requireID() })
        var models: [PhraseModel] = []
        for phrase in phrases
        where own.contains(phrase.intent.uuid) && existing.insert("\(phrase.intent.uuid.uuidString)\u{0}\(phrase.text)").inserted
        {
            let model = PhraseModel()
            model.id = UUID()
            model.workspaceID = scope.workspaceID.uuid
            model.intentID = phrase.intent.uuid
            model.text = phrase.text
            model.locale = phrase.locale.rawValue
            model.source = source.rawValue
            model.createdAt = at
            models.append(model)
        }
        for chunk in stride(from: 0, to: models.count, by: 200) {
            try await models[chunk..<min(chunk + 200, models.count)].map { $0 }.create(on: scope.db)
        }
        return models.count
    }

    func trainingData() async throws -> [LabeledPhrase] {
        let labels = Dictionary(
            uniqueKeysWithValues: try await scope.query(IntentModel.self).all().map { (try $0.requireID(), $0.label) })
        return try await scope.query(PhraseModel.self).all().compactMap { phrase -> LabeledPhrase? in
            guard let label = labels[phrase.intentID] else { return nil }
            return LabeledPhrase(
                label: label, text: phrase.text,
                locale: try decodeStored(ContentLocale.self, phrase.locale, table: PhraseModel.schema, column: "locale"))
        }.sorted { ($0.label, $0.locale.rawValue, $0.text) < ($1.label, $1.locale.rawValue, $1.text) }
    }

    func flows() async throws -> [String: String] {
        Dictionary(
            try await scope.query(FlowModel.self).all().map { ($0.flowID, $0.definition) }, uniquingKeysWith: { a, _ in a })
    }

    func saveFlow(id: String, definition: String, at: Date) async throws {
        if let existing = try await scope.query(FlowModel.self).filter(\.$flowID == id).first() {
            existing.definition = definition
            try await existing.update(on: scope.db)
            return
        }
        let model = FlowModel()
        model.id = UUID()
        model.workspaceID = scope.workspaceID.uuid
        model.flowID = id
        model.definition = definition
        model.createdAt = at
        try await model.create(on: scope.db)
    }

    func models() async throws -> [BotModelVersion] {
        // The blob stays in the database: a listing reads only the columns it shows.
        try await scope.query(BotModelModel.self)
            .field(\.$id).field(\.$workspaceID).field(\.$version).field(\.$active).field(\.$metrics)
            .field(\.$phraseCount).field(\.$intentCount).field(\.$dataHash).field(\.$trainedBy).field(\.$createdAt)
            .sort(\.$version, .descending).all().map { try $0.record() }
    }

    func activeModel() async throws -> StoredBotModel? {
        guard let model = try await scope.query(BotModelModel.self).filter(\.$active == true).first() else { return nil }
        return StoredBotModel(info: try model.record(), blob: model.blob)
    }

    func saveModel(
        blob: Data, metrics: String, phraseCount: Int, intentCount: Int, dataHash: String, by: UserID?, activate: Bool,
        at: Date
    ) async throws -> BotModelVersion {
        let latest = try await scope.query(BotModelModel.self).max(\.$version) ?? 0
        if activate {
            try await scope.query(BotModelModel.self).filter(\.$active == true).set(\.$active, to: false).update()
        }
        let model = BotModelModel()
        model.id = UUID()
        model.workspaceID = scope.workspaceID.uuid
        model.version = latest + 1
        model.active = activate
        model.blob = blob
        model.metrics = metrics
        model.phraseCount = phraseCount
        model.intentCount = intentCount
        model.dataHash = dataHash
        model.trainedBy = by?.uuid
        model.createdAt = at
        try await createUnique(model, on: scope.db, conflict: .busy)
        return try model.record()
    }

    func activate(_ id: BotModelID) async throws -> BotModelVersion {
        guard let model = try await scope.query(BotModelModel.self).filter(\.$id == id.uuid).first() else {
            throw DomainError.notFound(.botModel)
        }
        try await scope.query(BotModelModel.self).filter(\.$active == true).set(\.$active, to: false).update()
        model.active = true
        try await model.update(on: scope.db)
        return try model.record()
    }
}
