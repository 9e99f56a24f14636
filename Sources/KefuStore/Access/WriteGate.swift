/// Lets one write transaction at a time into the database from this process, first come first served. SQLite
/// has one writer anyway; queueing here (a suspended task) instead of in SQLite's busy handler (a blocked thread of
/// the shared thread pool) keeps the pool free for readers and bcrypt while writers wait. PostgreSQL needs no gate.
actor WriteGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func leave() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// Runs `body` inside the gate.
    nonisolated func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await enter()
        do {
            let result = try await body()
            await leave()
            return result
        } catch {
            await leave()
            throw error
        }
    }
}
