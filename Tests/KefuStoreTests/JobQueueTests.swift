import Foundation
import KefuCore
import KefuStore
import KefuTestSupport
import Logging
import Testing

/// The table-backed job queue on SQLite and PostgreSQL: idempotent enqueue, exclusive claims, leases that expire
/// when a worker dies, retries.
@Suite struct JobQueueTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func withWorkspace(_ db: TestDatabase, _ body: (Store, WorkspaceData) async throws -> Void) async throws {
        try await db.withStore { store in
            try await MigrationRunner(database: store.database, logger: Logger(label: "test")).migrate()
            let ws = try await store.unscoped.workspaces.create(slug: "jobs", name: "Jobs", defaultLocale: .en, at: now)
            try await body(store, store.scoped(to: ws.id))
        }
    }

    @Test(arguments: TestDatabase.all)
    func theSameKeyIsOneJobUntilItFails(_ db: TestDatabase) async throws {
        try await withWorkspace(db) { store, data in
            let first = try await data.jobs.enqueue(kind: "k", key: "same", payload: "{}", maxAttempts: 2, at: now)
            let second = try await data.jobs.enqueue(kind: "k", key: "same", payload: "{}", maxAttempts: 2, at: now)
            #expect(first.id == second.id)
            let queue = store.unscoped.jobQueue
            let claimed = try #require(try await queue.claim(kinds: ["k"], worker: "a", now: now, leaseUntil: now + 60))
            try await queue.fail(claimed.id, worker: "a", error: "boom", retryAt: nil, at: now)
            let again = try await data.jobs.enqueue(kind: "k", key: "same", payload: "{}", maxAttempts: 2, at: now)
            #expect(again.id == first.id)
            #expect(again.status == .queued)
            #expect(again.attempts == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aClaimedJobIsNotClaimedTwiceUntilItsLeaseExpires(_ db: TestDatabase) async throws {
        try await withWorkspace(db) { store, data in
            let job = try await data.jobs.enqueue(kind: "k", key: "one", payload: "{}", maxAttempts: 3, at: now)
            let queue = store.unscoped.jobQueue
            async let a = queue.claim(kinds: ["k"], worker: "a", now: now, leaseUntil: now + 60)
            async let b = queue.claim(kinds: ["k"], worker: "b", now: now, leaseUntil: now + 60)
            let claims = try await [a, b].compactMap { $0 }
            #expect(claims.count == 1)
            #expect(claims.first?.id == job.id)
            #expect(claims.first?.status == .running)
            #expect(try await queue.claim(kinds: ["k"], worker: "c", now: now + 30, leaseUntil: now + 90) == nil)
            // The worker died: after the lease another worker takes the job, as a new attempt.
            let retaken = try #require(try await queue.claim(kinds: ["k"], worker: "c", now: now + 61, leaseUntil: now + 121))
            #expect(retaken.id == job.id)
            #expect(retaken.attempts == 2)
            // The dead worker's late completion is ignored; the live one's counts.
            try await queue.succeed(job.id, worker: "a", result: "{}", at: now + 62)
            try await queue.succeed(job.id, worker: "b", result: "{}", at: now + 62)
            try await queue.succeed(job.id, worker: "c", result: "{\"ok\":true}", at: now + 62)
            let done = try await data.jobs.job(job.id)
            #expect(done.status == .succeeded)
            #expect(done.result == "{\"ok\":true}")
        }
    }

    @Test(arguments: TestDatabase.all)
    func aFailedAttemptWaitsForItsRetryTime(_ db: TestDatabase) async throws {
        try await withWorkspace(db) { store, data in
            let job = try await data.jobs.enqueue(kind: "k", key: "retry", payload: "{}", maxAttempts: 3, at: now)
            let queue = store.unscoped.jobQueue
            _ = try #require(try await queue.claim(kinds: ["k"], worker: "a", now: now, leaseUntil: now + 60))
            try await queue.fail(job.id, worker: "a", error: "timeout", retryAt: now + 10, at: now)
            #expect(try await queue.claim(kinds: ["k"], worker: "a", now: now + 5, leaseUntil: now + 65) == nil)
            #expect(try await queue.claim(kinds: ["other"], worker: "a", now: now + 11, leaseUntil: now + 71) == nil)
            let second = try #require(try await queue.claim(kinds: ["k"], worker: "a", now: now + 11, leaseUntil: now + 71))
            #expect(second.attempts == 2)
            #expect(second.lastError == "timeout")
        }
    }
}
