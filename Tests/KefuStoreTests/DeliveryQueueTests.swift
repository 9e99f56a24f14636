import Foundation
import KefuCore
import KefuStore
import KefuTestSupport
import Logging
import Testing

/// The delivery queue on SQLite and PostgreSQL: queued only with its transaction, claimed by one worker at a time,
/// taken again when a worker's lease runs out, retried or ended, and sent again by hand once dead.
@Suite(.timeLimit(.minutes(30))) struct DeliveryQueueTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func withWorkspace(_ db: TestDatabase, _ body: (Store, WorkspaceData) async throws -> Void) async throws {
        try await db.withStore { store in
            try await MigrationRunner(database: store.database, logger: Logger(label: "test")).migrate()
            let ws = try await store.unscoped.workspaces.create(slug: "mail", name: "Mail", defaultLocale: .en, at: now)
            try await body(store, store.scoped(to: ws.id))
        }
    }

    static func mail(_ to: String, thread: String? = "ticket:1") -> NewDelivery {
        NewDelivery(channel: .email, event: "ticket.reply", target: to, subject: "s", body: "b", payload: "{}", threadKey: thread)
    }

    static let both: [Delivery.Channel] = [.email, .webhook]

    struct Rollback: Error {}

    @Test(arguments: TestDatabase.all)
    func aDeliveryQueuedInARolledBackTransactionNeverGoesOut(_ db: TestDatabase) async throws {
        try await withWorkspace(db) { store, data in
            await #expect(throws: Rollback.self) {
                try await data.transaction { tx in
                    _ = try await tx.deliveries.enqueue(Self.mail("lost@example.com"), at: now)
                    throw Rollback()
                }
            }
            let queue = try store.unscoped.deliveryQueue
            #expect(
                try await queue.claim(
                    channels: Self.both, emailOnlyWhereSet: false, worker: "w", now: now + 3600, leaseUntil: now + 3700) == nil)
            #expect(try await data.deliveries.list(status: nil, channel: nil, conversation: nil, before: nil, limit: 10).isEmpty)
            let kept = try await data.transaction { tx in try await tx.deliveries.enqueue(Self.mail("kept@example.com"), at: now)
            }
            // A worker without an e-mail sender neither sees nor takes it.
            #expect(try await queue.due(channels: [.webhook], emailOnlyWhereSet: false, now: now) == false)
            #expect(
                try await queue.claim(channels: [.webhook], emailOnlyWhereSet: false, worker: "w", now: now, leaseUntil: now + 60)
                    == nil)
            #expect(try await queue.due(channels: [.email], emailOnlyWhereSet: false, now: now))
            // A server without an e-mail server of its own sends only for workspaces that set one.
            #expect(try await queue.due(channels: [.email], emailOnlyWhereSet: true, now: now) == false)
            try await data.emailSettings.save(sealedSMTPURL: "sealed", from: "help@mail.example", at: now)
            #expect(try await queue.due(channels: [.email], emailOnlyWhereSet: true, now: now))
            #expect(
                try await queue.claim(channels: Self.both, emailOnlyWhereSet: false, worker: "w", now: now, leaseUntil: now + 60)?
                    .id == kept.id)
        }
    }

    @Test(arguments: TestDatabase.all)
    func oneWorkerHoldsADeliveryUntilItsLeaseRunsOut(_ db: TestDatabase) async throws {
        try await withWorkspace(db) { store, data in
            let queued = try await data.deliveries.enqueue(Self.mail("a@example.com"), at: now)
            let queue = try store.unscoped.deliveryQueue
            async let a = queue.claim(channels: Self.both, emailOnlyWhereSet: false, worker: "a", now: now, leaseUntil: now + 60)
            async let b = queue.claim(channels: Self.both, emailOnlyWhereSet: false, worker: "b", now: now, leaseUntil: now + 60)
            let claims = try await [a, b].compactMap { $0 }
            #expect(claims.map(\.id) == [queued.id])
            #expect(claims.first?.status == .sending && claims.first?.attempts == 1)
            #expect(
                try await queue.claim(
                    channels: Self.both, emailOnlyWhereSet: false, worker: "c", now: now + 30, leaseUntil: now + 90) == nil)
            // The worker died mid-send: after its lease another takes it, with the same id, as a new attempt.
            let retaken = try #require(
                try await queue.claim(
                    channels: Self.both, emailOnlyWhereSet: false, worker: "c", now: now + 61, leaseUntil: now + 121))
            #expect(retaken.id == queued.id && retaken.attempts == 2)
            try await queue.delivered(queued.id, worker: "a", at: now + 62)
            #expect(try await data.deliveries.delivery(queued.id).status == .sending)
            try await queue.delivered(queued.id, worker: "c", at: now + 62)
            let done = try await data.deliveries.delivery(queued.id)
            #expect(done.status == .delivered && done.deliveredAt != nil && done.nextAttemptAt == nil)
            await #expect(throws: DomainError.conflict(.deliveryNotDead)) {
                _ = try await data.deliveries.retry(queued.id, at: now)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func aFailedDeliveryWaitsThenDiesAndIsSentAgainByHand(_ db: TestDatabase) async throws {
        try await withWorkspace(db) { store, data in
            let queued = try await data.deliveries.enqueue(Self.mail("b@example.com"), at: now)
            let queue = try store.unscoped.deliveryQueue
            _ = try #require(
                try await queue.claim(channels: Self.both, emailOnlyWhereSet: false, worker: "w", now: now, leaseUntil: now + 60))
            try await queue.failed(queued.id, worker: "w", error: "451 busy", retryAt: now + 10, at: now)
            var current = try await data.deliveries.delivery(queued.id)
            #expect(current.status == .queued && current.lastError == "451 busy" && current.nextAttemptAt == now + 10)
            #expect(
                try await queue.claim(
                    channels: Self.both, emailOnlyWhereSet: false, worker: "w", now: now + 9, leaseUntil: now + 69) == nil)
            _ = try #require(
                try await queue.claim(
                    channels: Self.both, emailOnlyWhereSet: false, worker: "w", now: now + 10, leaseUntil: now + 70))
            try await queue.failed(queued.id, worker: "w", error: "550 no such user", retryAt: nil, at: now + 11)
            current = try await data.deliveries.delivery(queued.id)
            #expect(current.status == .dead && current.attempts == 2 && current.lastError == "550 no such user")
            #expect(
                try await queue.claim(
                    channels: Self.both, emailOnlyWhereSet: false, worker: "w", now: now + 9999, leaseUntil: now + 99999) == nil)
            let again = try await data.deliveries.retry(queued.id, at: now + 20)
            #expect(again.status == .queued && again.attempts == 0 && again.id == queued.id)
            #expect(
                try await queue.claim(
                    channels: Self.both, emailOnlyWhereSet: false, worker: "w", now: now + 20, leaseUntil: now + 80)?.id
                    == queued.id)
            let dead = try await data.deliveries.list(status: .dead, channel: nil, conversation: nil, before: nil, limit: 10)
            #expect(dead.isEmpty)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aThreadListsItsEarlierMailsOldestFirstAndPagesNewestFirst(_ db: TestDatabase) async throws {
        try await withWorkspace(db) { _, data in
            var made: [Delivery] = []
            for index in 0..<5 {
                made.append(try await data.deliveries.enqueue(Self.mail("t@example.com"), at: now + Double(index)))
            }
            _ = try await data.deliveries.enqueue(Self.mail("other@example.com", thread: "ticket:2"), at: now + 2.5)
            #expect(try await data.deliveries.thread(of: made[3], limit: 20) == made[0..<3].map(\.id))
            #expect(try await data.deliveries.thread(of: made[3], limit: 2) == made[1..<3].map(\.id))
            #expect(try await data.deliveries.thread(of: made[0], limit: 20).isEmpty)
            let first = try await data.deliveries.list(status: nil, channel: .email, conversation: nil, before: nil, limit: 4)
            #expect(first.count == 4 && first.first?.id == made[4].id)
            let rest = try await data.deliveries.list(
                status: nil, channel: .email, conversation: nil, before: first.last?.id, limit: 4)
            #expect(rest.map(\.id) == [made[1].id, made[0].id])
            #expect(
                try await data.deliveries.list(status: nil, channel: .webhook, conversation: nil, before: nil, limit: 4).isEmpty)
        }
    }
}
