import Foundation
import KefuCore
import KefuStore
import Logging
import NIOPosix

/// Gives the demo workspace a working bot on first start: the e-commerce template installed and a model trained
/// before the server reports ready, so the first question already gets an answer.
struct DemoBotSeeder: Sendable {
    static let template = "ecommerce"

    let store: Store
    let clock: WallClock
    let runtime: BotRuntime
    let templates: TemplateService
    let trainingThreads: NIOThreadPool
    let logger: Logger

    func seedIfNeeded() async throws {
        guard let workspace = try await store.unscoped.workspaces.workspace(slug: DemoSeeder.slug) else { return }
        let data = store.scoped(to: workspace.id)
        if try await data.bot.intents().isEmpty {
            let installed = try await templates.install(template: Self.template, into: workspace.id, by: nil)
            logger.info(
                "demo: installed template", metadata: ["template": "\(Self.template)", "phrases": "\(installed.phrases)"])
        }
        guard try await data.bot.activeModel() == nil else { return }
        let training = try TrainingData(try await data.bot.trainingData(), intents: try await data.bot.intents())
        let job = try await data.jobs.enqueue(
            kind: BotTrainer.kind, key: "\(BotTrainer.kind):\(training.hash)", payload: "{}", maxAttempts: 3, at: clock.now())
        let worker = JobWorker(
            store: store, handlers: [BotTrainer(store: store, clock: clock, runtime: runtime, pool: trainingThreads)],
            clock: clock, logger: logger,
            wakeUp: JobWakeUp())
        let started = ContinuousClock.now
        var status = job.status
        while status == .queued || status == .running {
            guard try await worker.runOne() else { break }
            status = try await data.jobs.job(job.id).status
        }
        logger.info("demo: bot trained", metadata: ["seconds": "\(ContinuousClock.now - started)"])
    }
}
