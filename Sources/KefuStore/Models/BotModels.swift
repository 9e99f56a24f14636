import FluentKit
import Foundation
import KefuCore

final class IntentModel: Model, @unchecked Sendable {
    static let schema = "bot_intents"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "label") var label: String
    @Field(key: "name_en") var nameEN: String
    @Field(key: "name_zh") var nameZH: String
    @OptionalField(key: "flow") var flow: String?
    @OptionalField(key: "team_id") var teamID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func record() throws -> BotIntent {
        BotIntent(
            id: IntentID(try requireID()), workspaceID: WorkspaceID(workspaceID), label: label, nameEN: nameEN,
            nameZH: nameZH, flow: flow, createdAt: createdAt, teamID: teamID.map { TeamID($0) })
    }
}

final class PhraseModel: Model, @unchecked Sendable {
    static let schema = "bot_phrases"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "intent_id") var intentID: UUID
    @Field(key: "text") var text: String
    @Field(key: "locale") var locale: String
    @Field(key: "source") var source: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func record() throws -> TrainingPhrase {
        TrainingPhrase(
            id: PhraseID(try requireID()), intentID: IntentID(intentID), text: text,
            locale: try decodeStored(ContentLocale.self, locale, table: Self.schema, column: "locale"),
            source: try decodeStored(PhraseSource.self, source, table: Self.schema, column: "source"), createdAt: createdAt)
    }
}

final class FlowModel: Model, @unchecked Sendable {
    static let schema = "bot_flows"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "flow_id") var flowID: String
    @Field(key: "definition") var definition: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class BotModelModel: Model, @unchecked Sendable {
    static let schema = "bot_models"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "version") var version: Int
    @Field(key: "active") var active: Bool
    @Field(key: "blob") var blob: Data
    @Field(key: "metrics") var metrics: String
    @Field(key: "phrase_count") var phraseCount: Int
    @Field(key: "intent_count") var intentCount: Int
    @Field(key: "data_hash") var dataHash: String
    @OptionalField(key: "trained_by") var trainedBy: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func record() throws -> BotModelVersion {
        BotModelVersion(
            id: BotModelID(try requireID()), workspaceID: WorkspaceID(workspaceID), version: version, active: active,
            metrics: metrics, phraseCount: phraseCount, intentCount: intentCount, dataHash: dataHash,
            trainedBy: trainedBy.map(UserID.init), createdAt: createdAt)
    }
}

final class IndexLogModel: Model, @unchecked Sendable {
    static let schema = "bot_index_log"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "revision") var revision: Int
    @Field(key: "entry") var entry: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class JobModel: Model, @unchecked Sendable {
    static let schema = "jobs"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "key") var key: String
    @Field(key: "payload") var payload: String
    @Field(key: "status") var status: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "max_attempts") var maxAttempts: Int
    @Field(key: "run_at") var runAt: Date
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    @OptionalField(key: "locked_by") var lockedBy: String?
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "result") var result: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}

    func record() throws -> Job {
        Job(
            id: JobID(try requireID()), workspaceID: WorkspaceID(workspaceID), kind: kind, key: key, payload: payload,
            status: try decodeStored(Job.Status.self, status, table: Self.schema, column: "status"), attempts: attempts,
            maxAttempts: maxAttempts, runAt: runAt, lockedUntil: lockedUntil, lastError: lastError, result: result,
            createdAt: createdAt, finishedAt: finishedAt)
    }
}
