import FluentKit
import SQLKit
import Synchronization

/// SQLite has one writer, so many small write transactions (chat messages) queue behind each other, each paying for
/// its own BEGIN, COMMIT and turn at the write gate. This runs the waiting ones together: one transaction per batch
/// (a unit that fails undoes the batch, whose units then run again one transaction each, so only it gets its error),
/// and every caller resumes only after its transaction committed — an acknowledged message is a stored message.
final class GroupCommit: Sendable {
    typealias Work = @Sendable (any Database) async throws -> any Sendable

    private struct Item: Sendable {
        let work: Work
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct State {
        var pending: [Item] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let database: @Sendable () -> any Database
    private let gate: WriteGate
    /// Plain chat appends in one thread hop per batch (a file database only: another connection cannot see an
    /// in-memory one).
    let writer: SQLiteChatWriter?
    static let maxBatch = 128

    init(gate: WriteGate, file: String?, database: @escaping @Sendable () -> any Database) {
        self.gate = gate
        self.database = database
        writer = file.map { SQLiteChatWriter(path: $0, gate: gate) }
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let value = try await withCheckedThrowingContinuation { continuation in
            let starts = state.withLock { state in
                state.pending.append(Item(work: { try await body($0) }, continuation: continuation))
                defer { state.draining = true }
                return !state.draining
            }
            if starts { Task { await self.drain() } }
        }
        guard let typed = value as? T else { throw StoreError.unsupportedDatabase }
        return typed
    }

    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Item] in
                let batch = Array(state.pending.prefix(Self.maxBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            await commit(batch)
        }
    }

    /// The batch in one transaction without savepoints (each costs two statements through the driver's thread
    /// hops); when a unit fails, the whole batch is undone and each unit runs again alone, so only the failing one
    /// gets its error. Units are database work only, so running one again after a rollback is safe.
    private func commit(_ batch: [Item]) async {
        let works = batch.map(\.work)
        if works.count > 1 {
            do {
                let values = try await database().writeTransaction(gate: gate) { tx in
                    var values: [any Sendable] = []
                    for work in works { values.append(try await work(tx)) }
                    return values
                }
                for (item, value) in zip(batch, values) { item.continuation.resume(returning: value) }
                return
            } catch {
                // Fall through: one transaction each.
            }
        }
        for item in batch {
            do {
                let value = try await database().writeTransaction(gate: gate) { tx in try await item.work(tx) }
                item.continuation.resume(returning: value)
            } catch {
                item.continuation.resume(throwing: error)
            }
        }
    }
}
