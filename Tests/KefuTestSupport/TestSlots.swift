import Foundation
import Synchronization

/// A process-wide cap on how many test servers (each with its database pools, event loops and sockets) run at once.
/// Swift Testing starts every test together; on two cores a hundred servers at once starve each other until their time
/// limits pass. Tests queue here instead, and their own deadline starts when they get a slot.
public final class TestSlots: Sendable {
    /// `KEFU_TEST_SERVERS` overrides the width; three keeps two cores busy without starving anyone.
    public static let servers = TestSlots(
        width: ProcessInfo.processInfo.environment["KEFU_TEST_SERVERS"].flatMap(Int.init).map { max(1, $0) } ?? 3)

    private struct State {
        var free: Int
        var waiting: [(id: UUID, continuation: CheckedContinuation<Void, any Error>)] = []
    }

    private let state: Mutex<State>

    public init(width: Int) { state = Mutex(State(free: width)) }

    /// Runs `body` while holding one slot; waiting for it ends with `CancellationError` if the task is cancelled.
    public func withSlot<T>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case granted, cancelled, queued }
                let outcome = state.withLock { state -> Outcome in
                    // Cancelled before it queued: the cancellation handler found nothing to remove.
                    if Task.isCancelled { return .cancelled }
                    if state.free > 0 {
                        state.free -= 1
                        return .granted
                    }
                    state.waiting.append((id, continuation))
                    return .queued
                }
                switch outcome {
                case .granted: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .queued: break
                }
            }
        } onCancel: {
            let removed = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index).continuation
            }
            removed?.resume(throwing: CancellationError())
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if state.waiting.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst().continuation
        }
        next?.resume()
    }
}

/// A test that is still running after `limit` fails with a message naming what it was doing, instead of holding the
/// whole run until the suite's time limit (or forever, if it waits on something that never comes).
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let description: String
}

/// Runs `body`, cancelling it and throwing `DeadlineExceeded` once `limit` has passed.
public func withDeadline(_ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> Void)
    async throws
{
    try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
            try await body()
            return true
        }
        group.addTask {
            try await Task.sleep(for: limit)
            return false
        }
        defer { group.cancelAll() }
        guard try await group.next() == true else {
            throw DeadlineExceeded(description: "\(what) still running after \(limit)")
        }
    }
}
