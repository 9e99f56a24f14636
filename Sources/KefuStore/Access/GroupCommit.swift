import FluentKit
import SQLKit
import Synchronization

/// SQLite has one writer, so many small write transactions (chat messages) queue behind each other, each paying for
/// its own BEGIN, COMMIT and turn at the write gate. This runs the waiting ones together: one transaction per batch,
/// each unit of work in its own savepoint (one that fails is undone alone and gets its error), and every caller
/// resumes only after the batch committed — an acknowledged message is a stored message.
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
    static let maxBatch = 128

    init(gate: WriteGate, database: @escaping @Sendable () -> any Database) {
        self.gate = gate
        self.database = database
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

    private func commit(_ batch: [Item]) async {
        let works = batch.map(\.work)
        let outcomes: [Result<any Sendable, any Error>]
        do {
            outcomes = try await database().writeTransaction(gate: gate) { tx in
                guard let sql = tx as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
                // Alone in its batch, a unit needs no savepoint: the transaction is its own.
                if works.count == 1 { return [.success(try await works[0](tx))] }
                var outcomes: [Result<any Sendable, any Error>] = []
                for work in works {
                    try await sql.raw("SAVEPOINT unit").run()
                    do {
                        let value = try await work(tx)
                        try await sql.raw("RELEASE unit").run()
                        outcomes.append(.success(value))
                    } catch {
                        try await sql.raw("ROLLBACK TO unit").run()
                        try await sql.raw("RELEASE unit").run()
                        outcomes.append(.failure(error))
                    }
                }
                return outcomes
            }
        } catch {
            for item in batch { item.continuation.resume(throwing: error) }
            return
        }
        for (item, outcome) in zip(batch, outcomes) { item.continuation.resume(with: outcome) }
    }
}
