import Foundation
import KefuBot
import KefuCore
import KefuStore
import Logging

/// The knowledge-base and bot figures of docs/BENCHMARKS.md, measured in-process on a real database: portal search
/// latency over many published articles, how soon a published article is found (here and on a second instance),
/// training the e-commerce template, and `bot/ask` latency with its model active.
public struct KnowledgeBenchmark: Sendable {
    public var databaseURL: String?
    public var articles = 10_000
    public var queries = 2000
    public var asks = 5000

    public init() {}

    public func run(say: @Sendable (String) -> Void) async throws {
        try await BenchDependencies.with(databaseURL: databaseURL) { deps, logger in
            try await measure(deps, second: BotRuntime(store: deps.store, logger: logger), say: say)
        }
    }

    private func measure(_ deps: AppDependencies, second: BotRuntime, say: @Sendable (String) -> Void) async throws {
        let clock = ContinuousClock()
        let database = deps.store.location.isPostgres ? "PostgreSQL" : "SQLite"
        let workspace = try await deps.store.unscoped.workspaces.create(
            slug: "bench-\(UUID().uuidString.prefix(8).lowercased())", name: "Bench", defaultLocale: .zhCN, at: Date())
        let data = deps.store.scoped(to: workspace.id)
        let template = try deps.templates.catalog.template("ecommerce")

        // Training the e-commerce template, both languages, as the job does it.
        _ = try await deps.templates.install(template: "ecommerce", into: workspace.id, by: nil)
        let training = try TrainingData(try await data.bot.trainingData(), intents: try await data.bot.intents())
        let job = try await data.jobs.enqueue(
            kind: BotTrainer.kind, key: "bench", payload: "{}", maxAttempts: 1, at: Date())
        let trainStart = clock.now
        _ = try await BotTrainer(store: deps.store, clock: deps.clock, runtime: deps.runtime, pool: deps.trainingThreads).run(job)
        say(
            "training the e-commerce template (\(training.phrases.count) phrases, \(training.intentCount) intents, both languages): \(Self.f((clock.now - trainStart).inSeconds)) s"
        )

        // Many published articles: the template's bodies with a distinct title each.
        let bodies = template.articles.flatMap { $0.translations.values }
        let insertStart = clock.now
        let total = articles
        try await data.transaction { tx in
            for index in 0..<total {
                let source = bodies[index % bodies.count]
                let locale: ContentLocale = source.title.unicodeScalars.contains { $0.value > 0x2E80 } ? .zhCN : .en
                _ = try await tx.knowledge.createArticle(
                    ArticleDraft(title: "\(source.title) #\(index)", body: source.body, locale: locale, status: .published),
                    by: nil, at: Date())
            }
        }
        let loadStart = clock.now
        _ = try await deps.runtime.bot(for: workspace.id)
        say(
            "\(database): \(total) published articles written in \(Self.f((loadStart - insertStart).inSeconds)) s; index built from the database in \(Self.f((clock.now - loadStart).inSeconds)) s"
        )

        let words = ["退货", "运费", "发票", "refund", "shipping", "invoice", "怎么退款", "how to return", "password", "优惠券"]
        var latencies: [Double] = []
        for index in 0..<queries {
            let word = words[index % words.count]
            let locale: ContentLocale = word.unicodeScalars.contains { $0.value > 0x2E80 } ? .zhCN : .en
            let start = clock.now
            let results = try await deps.portal.search(workspace, query: word, locale: locale)
            latencies.append((clock.now - start).inSeconds * 1000)
            if results.isEmpty { say("  no results for \(word)") }
        }
        say("portal search over \(total) articles, \(queries) queries: \(Self.percentiles(latencies))")

        // Published here: found by this instance's next search, and by another instance's within its poll.
        let secondLoad = clock.now
        _ = try await second.bot(for: workspace.id)
        say("a second instance loads the same workspace's bot in \(Self.f((clock.now - secondLoad).inSeconds)) s")
        let title = "限时活动说明 \(UUID().uuidString.prefix(6))"
        let publishStart = clock.now
        _ = try await data.transaction { tx in
            try await tx.knowledge.createArticle(
                ArticleDraft(title: title, body: "双十一限时活动规则", locale: .zhCN, status: .published), by: nil, at: Date())
        }
        await deps.runtime.changed(workspace.id)
        let here = try await waitUntilFound(
            title, runtime: deps.runtime, workspace: workspace.id, clock: clock, from: publishStart)
        let there = try await waitUntilFound(title, runtime: second, workspace: workspace.id, clock: clock, from: publishStart)
        say(
            "a published article is found by search: on this instance after \(Self.f(here * 1000)) ms, on a second instance after \(Self.f(there * 1000)) ms"
        )

        // bot/ask with the template's model active.
        let questions = ["怎么退货", "how do I return an item", "我的订单到哪了", "发票怎么开", "今天天气怎么样", "优惠券用不了", "change my address"]
        var askLatencies: [Double] = []
        let identityBot = try await deps.runtime.bot(for: workspace.id)
        guard let engine = identityBot.engine else { throw DomainError.conflict(.noActiveModel) }
        for index in 0..<asks {
            let start = clock.now
            let bot = try await deps.runtime.bot(for: workspace.id)
            _ = (bot.engine ?? engine).decide(questions[index % questions.count], context: ConversationContext())
            askLatencies.append((clock.now - start).inSeconds * 1000)
        }
        say("bot decision (runtime snapshot + engine), \(asks) asks one after another: \(Self.percentiles(askLatencies))")
    }

    private func waitUntilFound(
        _ title: String, runtime: BotRuntime, workspace: WorkspaceID, clock: ContinuousClock, from start: ContinuousClock.Instant
    ) async throws -> Double {
        while clock.now - start < .seconds(10) {
            let bot = try await runtime.bot(for: workspace)
            if bot.knowledge.search(title, limit: 3).contains(where: { $0.title == title }) {
                return (clock.now - start).inSeconds
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return .infinity
    }

    static func percentiles(_ values: [Double]) -> String {
        let sorted = values.sorted()
        func at(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return "p50 \(f(at(0.5))) ms, p99 \(f(at(0.99))) ms, max \(f(sorted.last ?? 0)) ms"
    }

    static func f(_ value: Double) -> String { String(format: "%.3f", value) }
}
