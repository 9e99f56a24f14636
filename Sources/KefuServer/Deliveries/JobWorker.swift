import Foundation
import KefuCore
import KefuStore
import Logging
import ServiceLifecycle

/// Work of one job kind. Throwing schedules a retry with backoff until the job's attempts run out.
protocol JobHandler: Sendable {
    var kind: String { get }
    /// Runs the job; returns what to store as its result (JSON text).
    func run(_ job: Job) async throws -> String
}

/// A handler's refusal that retrying cannot fix: the job fails at once.
struct PermanentJobError: Error, CustomStringConvertible {
    var description: String
}

/// Claims due jobs from the table-backed queue and runs them, one at a time per worker, under ServiceLifecycle.
/// A job holds a lease that the worker renews while it runs; when a process dies mid-job the lease runs out and any
/// worker (here or on another instance) claims it again. Failures retry with exponential backoff.
struct JobWorker: Service {
    let store: Store
    let handlers: [String: any JobHandler]
    let clock: WallClock
    let logger: Logger
    var pollInterval: Duration = .seconds(1)
    var lease: TimeInterval = 60
    var retryBase: TimeInterval = 5
    let wakeUp: JobWakeUp
    let id = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"

    init(store: Store, handlers: [any JobHandler], clock: WallClock, logger: Logger, wakeUp: JobWakeUp) {
        self.store = store
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { a, _ in a })
        self.clock = clock
        self.logger = logger
        self.wakeUp = wakeUp
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let worked = (try? await runOne()) ?? false
                if !worked { await wakeUp.wait(upTo: pollInterval) }
            }
        } onGracefulShutdown: {
            Task { await wakeUp.signal() }
        }
    }

    /// Claims and runs one due job; false when none was due.
    @discardableResult
    func runOne() async throws -> Bool {
        let now = clock.now()
        guard
            let job = try await store.unscoped.jobQueue.claim(
                kinds: Array(handlers.keys), worker: id, now: now, leaseUntil: now.addingTimeInterval(lease))
        else { return false }
        guard let handler = handlers[job.kind] else { return true }
        // A worker that died mid-job still used up an attempt; a job that keeps killing its workers stops here.
        guard job.attempts <= job.maxAttempts else {
            try await store.unscoped.jobQueue.fail(
                job.id, worker: id, error: job.lastError ?? "the worker running it stopped \(job.maxAttempts) times",
                retryAt: nil, at: clock.now())
            return true
        }
        logger.info("job started", metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempts)"])
        let renewal = Task { [store, id, lease, clock] in
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(lease / 3))
                try await store.unscoped.jobQueue.extendLease(job.id, worker: id, until: clock.now().addingTimeInterval(lease))
            }
        }
        defer { renewal.cancel() }
        do {
            let result = try await handler.run(job)
            try await store.unscoped.jobQueue.succeed(job.id, worker: id, result: result, at: clock.now())
            logger.info("job succeeded", metadata: ["job": "\(job.id)", "kind": "\(job.kind)"])
        } catch {
            let permanent =
                error is PermanentJobError || ((error as? DomainError).map { $0 != .conflict(.busy) } ?? false)
            let retryAt =
                permanent || job.attempts >= job.maxAttempts
                ? nil : clock.now().addingTimeInterval(min(600, retryBase * pow(2, Double(job.attempts - 1))))
            logger.warning(
                "job failed",
                metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "error": "\(error)", "retry": "\(retryAt != nil)"])
            try await store.unscoped.jobQueue.fail(
                job.id, worker: id, error: String(describing: error), retryAt: retryAt, at: clock.now())
        }
        return true
    }
}

/// Lets a request that queued a job wake this instance's workers instead of waiting for the next poll. Any number
/// of workers may wait at once; each wait ends at its timeout or at the next signal, whichever comes first.
actor JobWakeUp {
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    private var pending = false

    /// Workers waiting right now.
    var waiting: Int { waiters.count }

    func signal() {
        guard !waiters.isEmpty else {
            pending = true
            return
        }
        let woken = waiters.values
        waiters.removeAll()
        for waiter in woken { waiter.resume() }
    }

    func wait(upTo timeout: Duration) async {
        if pending {
            pending = false
            return
        }
        let id = UUID()
        // The timer reaches this actor only once the continuation below is stored: the actor is busy until then.
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            await self?.expire(id)
        }
        await withCheckedContinuation { waiters[id] = $0 }
        timer.cancel()
    }

    private func expire(_ id: UUID) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
