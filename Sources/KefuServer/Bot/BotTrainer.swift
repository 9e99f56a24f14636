import Foundation
import KefuBot
import KefuCore
import KefuStore
import NIOPosix

/// The `bot.train` job: trains the workspace's phrases with the engine's own training (the same features,
/// calibration and hand-off threshold as `kefu bot train`), stores the model as a new version with its report, and
/// makes it active. The previous model answers until the new one is stored.
struct BotTrainer: JobHandler {
    static let kind = "bot.train"
    var kind: String { Self.kind }

    struct Payload: Codable {
        var requestedBy: UserID?

        enum CodingKeys: String, CodingKey { case requestedBy = "requested_by" }
    }

    struct Result: Codable {
        var modelVersion: Int
        var accuracy: Double

        enum CodingKeys: String, CodingKey {
            case modelVersion = "model_version"
            case accuracy
        }
    }

    let store: Store
    let clock: WallClock
    let runtime: BotRuntime
    /// Where training runs (`AppDependencies.trainingThreads`): one thread, apart from the pool bcrypt uses.
    let pool: NIOThreadPool

    func run(_ job: Job) async throws -> String {
        let payload = try JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8))
        let data = store.scoped(to: job.workspaceID)
        let training = try TrainingData(try await data.bot.trainingData(), intents: try await data.bot.intents())
        let examples = training.examples
        let oosLabel = training.outOfScopeLabel
        // Seconds of arithmetic: on a thread of its own, not on the cooperative pool the requests share.
        let (model, report) = try await pool.runIfActive {
            try Evaluation().trainWithReport(examples, oosLabel: oosLabel)
        }
        let blob = try ModelCodec.encode(model)
        let metrics = String(decoding: try JSONCoding.encoder.encode(report), as: UTF8.self)
        let version = try await data.transaction { [clock] tx in
            // The change record first: it takes the workspace's lock, so version numbers and the active flag cannot race.
            try await tx.knowledge.recordChange([KnowledgeEntry.model], at: clock.now())
            return try await tx.bot.saveModel(
                blob: blob, metrics: metrics, phraseCount: examples.count, intentCount: training.intentCount,
                dataHash: training.hash, by: payload.requestedBy, activate: true, at: clock.now())
        }
        await runtime.changed(job.workspaceID)
        let result = Result(modelVersion: version.version, accuracy: report.accuracy)
        return String(decoding: try JSONCoding.encoder.encode(result), as: UTF8.self)
    }
}
