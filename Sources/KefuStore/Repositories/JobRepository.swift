import FluentKit
import Foundation
import KefuCore
import SQLKit

/// The bound workspace's jobs: enqueue and look up.
public protocol JobRepository: Sendable {
    /// Queues a job unless one with the same key is queued or running; that one is returned instead, so a request
    /// retried by a client or a double click runs the work once. A finished job with the key is queued again.
    func enqueue(kind: String, key: String, payload: String, maxAttempts: Int, at: Date) async throws -> Job
    func job(_ id: JobID) async throws -> Job
    func latest(kind: String) async throws -> Job?
}

struct SQLJobRepository: JobRepository {
    let scope: WorkspaceScope

    func enqueue(kind: String, key: String, payload: String, maxAttempts: Int, at: Date) async throws -> Job {
        if let existing = try await scope.query(JobModel.self).filter(\.$key == key).first() {
            if existing.status == Job.Status.queued.rawValue || existing.status == Job.Status.running.rawValue {
                return try existing.record()
            }
            existing.status = Job.Status.queued.rawValue
            existing.attempts = 0
            existing.runAt = at
            existing.lastError = nil
            existing.finishedAt = nil
            existing.result = nil
            existing.payload = payload
            try await existing.update(on: scope.db)
            return try existing.record()
        }
        let model = JobModel()
        model.id = UUID()
        model.workspaceID = scope.workspaceID.uuid
        model.kind = kind
        model.key = key
        model.payload = payload
        model.status = Job.Status.queued.rawValue
        model.attempts = 0
        model.maxAttempts = maxAttempts
        model.runAt = at
        model.createdAt = at
        do {
            try await model.create(on: scope.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Another request queued the same key a moment ago.
            guard let existing = try await scope.query(JobModel.self).filter(\.$key == key).first() else {
                throw DomainError.conflict(.busy)
            }
            return try existing.record()
        }
        return try model.record()
    }

    func job(_ id: JobID) async throws -> Job {
        guard let model = try await scope.query(JobModel.self).filter(\.$id == id.uuid).first() else {
            throw DomainError.notFound(.job)
        }
        return try model.record()
    }

    func latest(kind: String) async throws -> Job? {
        try await scope.query(JobModel.self).filter(\.$kind == kind).sort(\.$createdAt, .descending).first()?.record()
    }
}

/// The queue as workers see it, across workspaces: claim the next due job, finish it, or schedule a retry.
public protocol JobQueue: Sendable {
    /// Takes the oldest due job — queued and due, or running with an expired lease (its worker died) — and leases it
    /// to `worker` until `leaseUntil`. Safe with many workers and instances: on PostgreSQL the row is taken with
    /// `FOR UPDATE SKIP LOCKED`, on SQLite the single `UPDATE … RETURNING` runs under the database's write lock.
    func claim(kinds: [String], worker: String, now: Date, leaseUntil: Date) async throws -> Job?
    func extendLease(_ id: JobID, worker: String, until: Date) async throws
    func succeed(_ id: JobID, worker: String, result: String, at: Date) async throws
    /// Queues the job again at `retryAt`, or marks it failed when nil.
    func fail(_ id: JobID, worker: String, error: String, retryAt: Date?, at: Date) async throws
}

struct SQLJobQueue: JobQueue {
    let db: any Database

    func claim(kinds: [String], worker: String, now: Date, leaseUntil: Date) async throws -> Job? {
        guard let sql = db as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        guard !kinds.isEmpty else { return nil }
        let postgres = sql.dialect.name != "sqlite"
        let kindList = SQLList(kinds.map { SQLBind($0) })
        let lock: SQLQueryString = postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let row = try await sql.raw(
            """
            UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = \(bind: worker), \
            locked_until = \(bind: leaseUntil) \
            WHERE id = (SELECT id FROM jobs WHERE kind IN (\(kindList)) AND \
            ((status = 'queued' AND run_at <= \(bind: now)) OR (status = 'running' AND locked_until < \(bind: now))) \
            ORDER BY run_at LIMIT 1\(lock)) \
            RETURNING id
            """
        ).first()
        guard let row else { return nil }
        let id = try row.decode(column: "id", as: UUID.self)
        return try await JobModel.find(id, on: db)?.record()
    }

    func extendLease(_ id: JobID, worker: String, until: Date) async throws {
        try await JobModel.query(on: db).filter(\.$id == id.uuid).filter(\.$lockedBy == worker)
            .filter(\.$status == Job.Status.running.rawValue).set(\.$lockedUntil, to: until).update()
    }

    func succeed(_ id: JobID, worker: String, result: String, at: Date) async throws {
        try await JobModel.query(on: db).filter(\.$id == id.uuid).filter(\.$lockedBy == worker)
            .set(\.$status, to: Job.Status.succeeded.rawValue).set(\.$result, to: result).set(\.$finishedAt, to: at)
            .set(\.$lockedUntil, to: nil).update()
    }

    func fail(_ id: JobID, worker: String, error: String, retryAt: Date?, at: Date) async throws {
        let query = JobModel.query(on: db).filter(\.$id == id.uuid).filter(\.$lockedBy == worker)
            .set(\.$lastError, to: String(error.prefix(2000))).set(\.$lockedUntil, to: nil)
        if let retryAt {
            query.set(\.$status, to: Job.Status.queued.rawValue).set(\.$runAt, to: retryAt)
        } else {
            query.set(\.$status, to: Job.Status.failed.rawValue).set(\.$finishedAt, to: at)
        }
        try await query.update()
    }
}
