import Foundation

/// Something a customer wants, which the bot learns from training phrases.
public struct BotIntent: Sendable, Codable, Equatable {
    public var id: IntentID
    public var workspaceID: WorkspaceID
    /// Lower snake_case, unique in the workspace; what the model predicts.
    public var label: String
    public var nameEN: String
    public var nameZH: String
    /// A flow (docs/FLOWS.md) the intent starts, by id.
    public var flow: String?
    public var createdAt: Date
    /// The team its hand-offs go to; nil: the workspace's default team.
    public var teamID: TeamID?

    public init(
        id: IntentID, workspaceID: WorkspaceID, label: String, nameEN: String, nameZH: String, flow: String?,
        createdAt: Date, teamID: TeamID? = nil
    ) {
        self.teamID = teamID
        self.id = id
        self.workspaceID = workspaceID
        self.label = label
        self.nameEN = nameEN
        self.nameZH = nameZH
        self.flow = flow
        self.createdAt = createdAt
    }
}

/// Where a training phrase came from.
public enum PhraseSource: String, Codable, Sendable, CaseIterable {
    case template, admin
    case agentCorrection = "agent_correction"
    case customerFeedback = "customer_feedback"
}

/// One way a customer says an intent.
public struct TrainingPhrase: Sendable, Codable, Equatable {
    public var id: PhraseID
    public var intentID: IntentID
    public var text: String
    public var locale: ContentLocale
    public var source: PhraseSource
    public var createdAt: Date

    public init(id: PhraseID, intentID: IntentID, text: String, locale: ContentLocale, source: PhraseSource, createdAt: Date) {
        self.id = id
        self.intentID = intentID
        self.text = text
        self.locale = locale
        self.source = source
        self.createdAt = createdAt
    }
}

/// One trained model of a workspace, kept so that an older one can be activated again.
public struct BotModelVersion: Sendable, Codable, Equatable {
    public var id: BotModelID
    public var workspaceID: WorkspaceID
    public var version: Int
    public var active: Bool
    /// The training report as JSON text (accuracy, per-intent F1, confusions, thin intents).
    public var metrics: String
    public var phraseCount: Int
    public var intentCount: Int
    /// SHA-256 of the training data in a canonical order: the same data gives the same hash.
    public var dataHash: String
    public var trainedBy: UserID?
    public var createdAt: Date

    public init(
        id: BotModelID, workspaceID: WorkspaceID, version: Int, active: Bool, metrics: String, phraseCount: Int,
        intentCount: Int, dataHash: String, trainedBy: UserID?, createdAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.version = version
        self.active = active
        self.metrics = metrics
        self.phraseCount = phraseCount
        self.intentCount = intentCount
        self.dataHash = dataHash
        self.trainedBy = trainedBy
        self.createdAt = createdAt
    }
}

/// A unit of background work in the table-backed queue.
public struct Job: Sendable, Codable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case queued, running, succeeded, failed
    }

    public var id: JobID
    public var workspaceID: WorkspaceID
    public var kind: String
    public var key: String
    public var payload: String
    public var status: Status
    public var attempts: Int
    public var maxAttempts: Int
    public var runAt: Date
    public var lockedUntil: Date?
    public var lastError: String?
    public var result: String?
    public var createdAt: Date
    public var finishedAt: Date?

    public init(
        id: JobID, workspaceID: WorkspaceID, kind: String, key: String, payload: String, status: Status, attempts: Int,
        maxAttempts: Int, runAt: Date, lockedUntil: Date?, lastError: String?, result: String?, createdAt: Date,
        finishedAt: Date?
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.kind = kind
        self.key = key
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.lockedUntil = lockedUntil
        self.lastError = lastError
        self.result = result
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}
