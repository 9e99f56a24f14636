import Foundation
import KefuCore
import Synchronization

/// Lets one agent socket write to several conversations at once while each conversation's messages stay in the
/// order they were sent: a send waits only for the previous send to the same conversation. An agent answering many
/// customers no longer queues every reply behind the others' writes. At most `limit` sends are in flight; beyond
/// that the reader waits, as before.
final class SendLanes: Sendable {
    private struct State {
        var tails: [ConversationID: (token: UUID, task: Task<Void, Never>)] = [:]
        var inFlight = 0
    }

    private let state = Mutex(State())
    let limit: Int

    init(limit: Int = 4) {
        self.limit = limit
    }

    /// Starts `work` after the conversation's previous send; false (nothing started) when `limit` sends are running.
    func start(_ conversation: ConversationID, _ work: @escaping @Sendable () async -> Void) -> Bool {
        state.withLock { state in
            guard state.inFlight < limit else { return false }
            state.inFlight += 1
            let previous = state.tails[conversation]?.task
            let token = UUID()
            let task = Task {
                await previous?.value
                await work()
                self.finished(conversation, token)
            }
            state.tails[conversation] = (token, task)
            return true
        }
    }

    private func finished(_ conversation: ConversationID, _ token: UUID) {
        state.withLock { state in
            state.inFlight -= 1
            if state.tails[conversation]?.token == token { state.tails[conversation] = nil }
        }
    }

    /// Waits for every send started so far.
    func drain() async {
        while true {
            let running = state.withLock { Array($0.tails.values.map(\.task)) }
            guard !running.isEmpty else { return }
            for task in running { await task.value }
        }
    }
}
