import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuCore
import KefuStore
import Logging
import Synchronization
import Testing

@testable import KefuServer

/// Webhook deliveries against a real HTTP receiver, with the worker driven by an injected clock: a receiver that
/// is down is tried again after its backoff and gets the event once, under the same delivery id; 410 Gone ends it.
@Suite(.timeLimit(.minutes(30))) struct WebhookDeliveryTests {
    /// Answers each POST with the next status of its script (200 once the script is used up) and records the headers.
    final class Receiver: Sendable {
        let script: Mutex<[Int]>
        let received = Mutex<[(delivery: String, event: String, signed: Bool, status: Int)]>([])

        init(_ script: [Int]) { self.script = Mutex(script) }

        static func header(_ request: Request, _ name: String) -> String? {
            HTTPField.Name(name).flatMap { request.headers[$0] }
        }

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("/hook") { [self] request, _ -> HTTPResponse.Status in
                let status = script.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
                received.withLock {
                    $0.append(
                        (
                            Self.header(request, "X-Kefu-Delivery") ?? "",
                            Self.header(request, "X-Kefu-Event") ?? "",
                            Self.header(request, "X-Kefu-Signature")?.hasPrefix("v1=") ?? false, status
                        ))
                }
                return HTTPResponse.Status(code: status)
            }
            return router
        }
    }

    static func withReceiver(
        _ script: [Int], _ body: @escaping @Sendable (Int, Receiver) async throws -> Void
    ) async throws {
        let receiver = Receiver(script)
        try await LocalHTTPServer.run(receiver.router()) { port in try await body(port, receiver) }
    }

    @Test func aDownReceiverGetsTheEventOnceAfterBackoffAndGoneEndsIt() async throws {
        try await Self.withReceiver([503, 503, 200, 410]) { port, receiver in
            try await TestApp.run(configure: { $0.deliveryWorkers = 0 }) { app, client in
                let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
                let hook = "http://127.0.0.1:\(port)/hook"
                let saved = try await client.post(
                    APIBody.json(["allowlist": ["127.0.0.1:\(port)"], "sla_webhook_url": hook]), to: "/api/v1/action-settings",
                    token: owner, method: .put)
                #expect(saved.status == .ok)
                let deps = app.dependencies
                let data = deps.store.scoped(to: try await app.workspaceID("tea-shop"))
                let start = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
                let now = Mutex(start)
                let worker = DeliveryWorker(
                    store: deps.store, senders: [WebhookSender(store: deps.store, caller: deps.actions.caller)],
                    clock: WallClock { now.withLock { $0 } }, logger: Logger(label: "test"), wakeUp: JobWakeUp())
                let first = try await data.deliveries.enqueue(
                    NewDelivery(channel: .webhook, event: "sla.breach", target: hook, body: "{}", payload: "{\"n\":1}"), at: start
                )

                // 503: queued again after 5 s, then 10 s; nothing is due before.
                #expect(try await worker.runOne())
                var current = try await data.deliveries.delivery(first.id)
                #expect(current.status == .queued && current.lastError == "HTTP 503")
                #expect(current.nextAttemptAt == start.addingTimeInterval(5))
                #expect(try await worker.runOne() == false)
                now.withLock { $0 = start.addingTimeInterval(5) }
                #expect(try await worker.runOne())
                #expect(try await data.deliveries.delivery(first.id).nextAttemptAt == start.addingTimeInterval(15))
                now.withLock { $0 = start.addingTimeInterval(15) }
                #expect(try await worker.runOne())
                current = try await data.deliveries.delivery(first.id)
                #expect(current.status == .delivered && current.attempts == 3)

                // 410 Gone: dead at once, never tried again.
                let gone = try await data.deliveries.enqueue(
                    NewDelivery(channel: .webhook, event: "sla.warning", target: hook, body: "{}", payload: "{\"n\":2}"),
                    at: now.withLock { $0 })
                #expect(try await worker.runOne())
                current = try await data.deliveries.delivery(gone.id)
                #expect(current.status == .dead && current.attempts == 1 && current.lastError?.contains("410") == true)
                now.withLock { $0 = start.addingTimeInterval(100_000) }
                #expect(try await worker.runOne() == false)

                let calls = receiver.received.withLock { $0 }
                #expect(calls.map(\.status) == [503, 503, 200, 410])
                #expect(
                    calls.prefix(3).allSatisfy { $0.delivery == first.id.description && $0.event == "sla.breach" && $0.signed })
                #expect(calls.last?.delivery == gone.id.description)

                // A target the guard refuses is dead without a call.
                let refused = try await data.deliveries.enqueue(
                    NewDelivery(
                        channel: .webhook, event: "sla.breach", target: "http://169.254.169.254/latest", body: "{}", payload: "{}"
                    ),
                    at: now.withLock { $0 })
                #expect(try await worker.runOne())
                #expect(try await data.deliveries.delivery(refused.id).status == .dead)
                #expect(receiver.received.withLock { $0.count } == 4)
            }
        }
    }
}
