import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuBot
import KefuCore
import KefuTestSupport
import Logging
import Testing

@testable import KefuServer

/// Intents, training through the job queue, model versions and `bot/ask`.
@Suite struct BotAPITests {
    static let phrases: [String: [String]] = [
        "returns": ["怎么退货", "我要退货", "退货流程是什么", "how do I return an item", "return my order", "i want a return"],
        "shipping": ["什么时候发货", "多久能到", "快递到哪了", "when will it ship", "how long is delivery", "shipping time"],
        "invoice": ["怎么开发票", "发票怎么开", "我要开票", "how do I get an invoice", "need a receipt", "invoice please"],
    ]

    private func intent(_ client: any TestClientProtocol, _ token: String, _ label: String) async throws -> String {
        let response = try await client.post(APIBody.json(["label": label]), to: "/api/v1/bot/intents", token: token)
        #expect(response.status == .created)
        return try #require((try response.json() as? [String: Any])?["id"] as? String)
    }

    private func phrase(_ client: any TestClientProtocol, _ token: String, _ intent: String, _ text: String) async throws
        -> TestResponse
    {
        let locale = text.unicodeScalars.contains { $0.value > 0x2E80 } ? "zh-CN" : "en"
        return try await client.post(
            APIBody.json(["text": text, "locale": locale]), to: "/api/v1/bot/intents/\(intent)/phrases", token: token)
    }

    /// Waits until no job of the workspace is queued or running: the app's worker service runs them, and this
    /// test's own worker helps, as a second instance would.
    private func work(_ app: TestApp) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let worker = app.dependencies.jobWorker(logger: logger)
        let data = app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop"))
        for _ in 0..<600 {
            _ = try await worker.runOne()
            guard let job = try await data.jobs.latest(kind: BotTrainer.kind), job.status == .queued || job.status == .running
            else { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("training did not finish")
    }

    @Test(arguments: TestDatabase.all)
    func trainingMakesAnActiveModelThatAnswersAndAnOlderVersionCanComeBack(_ db: TestDatabase) async throws {
        try await TestApp.run(db) { app, client in
            let token = try await app.member("admin@shop.example", workspace: "tea-shop", role: .admin, client: client)
            let noModel = try await client.post(APIBody.json(["text": "怎么退货"]), to: "/api/v1/bot/ask", token: token)
            #expect(noModel.status == .conflict)
            for (label, texts) in Self.phrases.sorted(by: { $0.key < $1.key }) {
                let id = try await intent(client, token, label)
                for text in texts { #expect(try await phrase(client, token, id, text).status == .created) }
            }
            let faq = try await client.post(
                APIBody.json([
                    "questions": ["怎么退货", "退货流程"], "answer": "签收 7 天内在订单页申请退货。", "intent": "returns", "locale": "zh-CN",
                ]),
                to: "/api/v1/kb/faqs", token: token)
            #expect(faq.status == .created)

            let queued = try await client.post(APIBody.json([:]), to: "/api/v1/bot/train", token: token)
            #expect(queued.status == .accepted)
            let jobID = try #require((try queued.json() as? [String: Any])?["job_id"] as? String)
            // The same data queued again is the same job.
            let again = try await client.post(APIBody.json([:]), to: "/api/v1/bot/train", token: token)
            #expect((try again.json() as? [String: Any])?["job_id"] as? String == jobID)
            try await work(app)
            let job = try #require(try await client.get("/api/v1/jobs/\(jobID)", token: token).json() as? [String: Any])
            #expect(job["status"] as? String == "succeeded")

            let answer = try #require(
                try await client.post(APIBody.json(["text": "怎么退货"]), to: "/api/v1/bot/ask", token: token).json()
                    as? [String: Any])
            #expect(answer["decision"] as? String == "answer")
            #expect((answer["sources"] as? [[String: Any]])?.first?["title"] as? String == "怎么退货")
            #expect((answer["intents"] as? [[String: Any]])?.first?["label"] as? String == "returns")
            for key in ["text", "reasons", "sentiment"] { #expect(answer[key] != nil, "missing \(key)") }

            // A second version, then back to the first.
            let returns = try #require(
                (try await client.get("/api/v1/bot/intents", token: token).json() as? [[String: Any]])?
                    .first { $0["label"] as? String == "returns" }?["id"] as? String)
            #expect(try await phrase(client, token, returns, "退貨怎麼弄").status == .created)
            #expect(try await client.post(APIBody.json([:]), to: "/api/v1/bot/train", token: token).status == .accepted)
            try await work(app)
            let models = try #require(try await client.get("/api/v1/bot/models", token: token).json() as? [String: Any])
            let versions = try #require(models["models"] as? [[String: Any]])
            #expect(versions.map { $0["version"] as? Int } == [2, 1])
            #expect(models["active_version"] as? Int == 2)
            #expect(((versions.first?["metrics"] as? [String: Any])?["accuracy"] as? Double ?? 0) > 0.5)
            let first = try #require(versions.last?["id"] as? String)
            let activated = try await client.post(APIBody.json([:]), to: "/api/v1/bot/models/\(first)/activate", token: token)
            #expect(activated.status == .ok)
            let after = try #require(try await client.get("/api/v1/bot/models", token: token).json() as? [String: Any])
            #expect(after["active_version"] as? Int == 1)
        }
    }

    @Test func trainingWithTooLittleDataIsRefusedAndNamesTheIntent() async throws {
        try await TestApp.run { app, client in
            let token = try await app.member("admin@shop.example", workspace: "tea-shop", role: .admin, client: client)
            let returns = try await intent(client, token, "returns")
            for text in Self.phrases["returns"] ?? [] { _ = try await phrase(client, token, returns, text) }
            let onlyOne = try await client.post(APIBody.json([:]), to: "/api/v1/bot/train", token: token)
            #expect(onlyOne.status == .unprocessableContent)
            let fields = ((try onlyOne.json() as? [String: Any])?["error"] as? [String: Any])?["fields"] as? [String: String]
            #expect(fields?["intents"] != nil)
            let shipping = try await intent(client, token, "shipping")
            _ = try await phrase(client, token, shipping, "多久能到")
            let thin = try await client.post(APIBody.json([:]), to: "/api/v1/bot/train", token: token)
            #expect(thin.status == .unprocessableContent)
            let thinFields = ((try thin.json() as? [String: Any])?["error"] as? [String: Any])?["fields"] as? [String: String]
            #expect(thinFields?.keys.sorted() == ["intents.shipping"])
            #expect(
                try await app.dependencies.store.scoped(to: app.workspaceID("tea-shop")).jobs.latest(kind: BotTrainer.kind) == nil
            )
        }
    }

    @Test func aJobWhoseWorkerDiedIsPickedUpAgainWhileTheActiveModelKeepsAnswering() async throws {
        // No worker service: this test plays the workers.
        try await TestApp.run(configure: { $0.jobWorkers = 0 }) { app, client in
            let token = try await app.member("admin@shop.example", workspace: "tea-shop", role: .admin, client: client)
            for (label, texts) in Self.phrases {
                let id = try await intent(client, token, label)
                for text in texts { _ = try await phrase(client, token, id, text) }
            }
            _ = try await client.post(APIBody.json([:]), to: "/api/v1/bot/train", token: token)
            try await work(app)
            let shipping = try #require(
                (try await client.get("/api/v1/bot/intents", token: token).json() as? [[String: Any]])?
                    .first { $0["label"] as? String == "shipping" }?["id"] as? String)
            _ = try await phrase(client, token, shipping, "物流太慢了")
            let queued = try await client.post(APIBody.json([:]), to: "/api/v1/bot/train", token: token)
            let jobID = try #require((try queued.json() as? [String: Any])?["job_id"] as? String)
            // A worker claims the job and dies: its lease is never renewed.
            let now = Date()
            let claimed = try await app.dependencies.store.unscoped.jobQueue.claim(
                kinds: [BotTrainer.kind], worker: "dead", now: now, leaseUntil: now.addingTimeInterval(-1))
            #expect(claimed?.id.description == jobID)
            let meanwhile = try await client.post(APIBody.json(["text": "多久能到"]), to: "/api/v1/bot/ask", token: token)
            #expect(meanwhile.status == .ok)
            try await work(app)
            let job = try #require(try await client.get("/api/v1/jobs/\(jobID)", token: token).json() as? [String: Any])
            #expect(job["status"] as? String == "succeeded")
            #expect(job["attempts"] as? Int == 2)
        }
    }

    @Test func templatesInstallOnceAndStayEditable() async throws {
        try await TestApp.run { app, client in
            let token = try await app.member("admin@shop.example", workspace: "tea-shop", role: .admin, client: client)
            let list = try #require(try await client.get("/api/v1/bot/templates", token: token).json() as? [[String: Any]])
            #expect(Set(list.compactMap { $0["id"] as? String }) == ["ecommerce", "finance", "telecom", "utilities"])
            let installed = try #require(
                try await client.post(APIBody.json([:]), to: "/api/v1/bot/templates/finance/install", token: token).json()
                    as? [String: Any])
            #expect((installed["intents"] as? Int ?? 0) >= 9)
            #expect((installed["phrases"] as? Int ?? 0) >= 9 * 64)
            let twice = try #require(
                try await client.post(APIBody.json([:]), to: "/api/v1/bot/templates/finance/install", token: token).json()
                    as? [String: Any])
            #expect(twice["phrases"] as? Int == 0)
            #expect(twice["articles"] as? Int == 0)
            // The flows' actions arrive switched off, pointing at the documented example endpoints; once only.
            #expect(installed["actions"] as? Int == 2 && twice["actions"] as? Int == 0)
            let actions = try await app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop")).actions.all()
            #expect(Set(actions.map(\.name)) == ["query_balance", "schedule_repayment"])
            #expect(actions.allSatisfy { !$0.enabled && $0.url.hasPrefix("https://api.example.com/kefu/") })
            let missing = try await client.post(APIBody.json([:]), to: "/api/v1/bot/templates/nope/install", token: token)
            #expect(missing.status == .notFound)
        }
    }

    /// Every action a template's flow calls is one the template ships (else its flows could only fail).
    @Test func everyTemplatesFlowsCallActionsItShips() throws {
        for template in try TemplateCatalog.load().templates {
            let shipped = Set((template.manifest.actions ?? []).map(\.name))
            for definition in template.flows.values {
                let flow = try Flow.load(json: Data(definition.utf8))
                let called = Set(flow.steps.values.compactMap(\.action))
                #expect(called.isSubset(of: shipped), "\(template.id): \(called.subtracting(shipped))")
            }
        }
    }
}
