import Foundation
import KefuCore
import KefuStore

extension ConversationService {
    /// The conversation core's entry for a line the system writes into a chat (a ticket made from it, an action's
    /// outcome): stored in its own transaction with the next sequence number, then published to every socket
    /// watching the conversation, on every instance. Routing's assignment lines are the one exception: they are
    /// written inside the assignment's own transaction (`ChatRouter`), and published by it.
    func systemLine(_ workspace: WorkspaceID, _ id: ConversationID, _ line: NewMessage) async throws -> AppendResult {
        let result = try await store.scoped(to: workspace).groupedTransaction { [clock] data in
            try await data.conversations.append(id, line, at: clock.now())
        }
        if result.isNew { publish(workspace, .message(result.message, result.conversation)) }
        return result
    }
}
