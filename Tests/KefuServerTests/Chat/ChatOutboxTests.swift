import Foundation
import KefuCore
import Testing

@testable import KefuServer

/// An agent socket's inbox updates: one queued frame per conversation however many events arrive while it waits, and
/// that frame carries the newest state.
@Suite struct ChatOutboxTests {
    private func conversation(_ id: ConversationID, seq: Int64, updated: TimeInterval) -> Conversation {
        let at = Date(timeIntervalSince1970: updated)
        return Conversation(
            id: id, workspaceID: WorkspaceID(), contactID: ContactID(), status: .open, assigneeID: nil, teamID: nil,
            priority: .normal, tags: [], lastSeq: seq, locale: .en, handoff: nil, botState: nil, preview: "m\(seq)",
            createdAt: at, updatedAt: at, lastMessageAt: at)
    }

    @Test func statesOfOneConversationCoalesceToTheNewest() async throws {
        let outbox = ChatOutbox(capacity: 16)
        let first = ConversationID()
        let second = ConversationID()
        outbox.pushState(SharedFrames(.conversation(conversation(first, seq: 1, updated: 10))))
        outbox.pushState(SharedFrames(.conversation(conversation(second, seq: 7, updated: 10))))
        outbox.pushState(SharedFrames(.conversation(conversation(first, seq: 3, updated: 30))))
        // Arriving late from a slower commit: older than the one waiting, so it must not replace it.
        outbox.pushState(SharedFrames(.conversation(conversation(first, seq: 2, updated: 20))))
        outbox.finish()

        var queued: [ConversationID] = []
        for await item in outbox.stream {
            guard case .state(let id) = item else {
                Issue.record("unexpected item \(item)")
                continue
            }
            queued.append(id)
        }
        #expect(queued == [first, second])
        #expect(outbox.takeState(first)?.conversation?.lastSeq == 3)
        #expect(outbox.takeState(second)?.conversation?.lastSeq == 7)
        #expect(outbox.takeState(first) == nil)

        // Once taken, the next state queues a frame again.
        let reopened = ChatOutbox(capacity: 4)
        reopened.pushState(SharedFrames(.conversation(conversation(first, seq: 1, updated: 10))))
        _ = reopened.takeState(first)
        reopened.pushState(SharedFrames(.conversation(conversation(first, seq: 2, updated: 20))))
        reopened.finish()
        var count = 0
        for await _ in reopened.stream { count += 1 }
        #expect(count == 2)
    }
}
