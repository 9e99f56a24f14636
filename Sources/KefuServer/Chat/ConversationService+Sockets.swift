import Foundation
import KefuCore
import KefuStore

/// What a chat socket reads besides events: an agent's teams (what they may see), a conversation's read marks, the
/// customer's place in the queue and pages of stored messages for a catch-up.
extension ConversationService {
    func teams(of identity: Identity) async throws -> [TeamID] {
        try await store.scoped(to: identity.workspace.id).teams.teams(of: identity.user.id)
    }

    func readMarks(_ workspace: WorkspaceID, _ id: ConversationID) async throws -> [String: Int64] {
        try await store.scoped(to: workspace).conversations.readMarks(id)
    }

    /// The waiting customer's place in the queue, nil when the conversation does not wait.
    func queueStanding(_ workspace: WorkspaceID, _ id: ConversationID) async throws -> QueueStanding? {
        let conversation = try await store.scoped(to: workspace).conversations.conversation(id)
        return try await router.standing(workspace, conversation)
    }

    func lastSeq(_ workspace: WorkspaceID, _ id: ConversationID) async throws -> Int64 {
        try await store.scoped(to: workspace).conversations.conversation(id).lastSeq
    }

    func messagePage(_ workspace: WorkspaceID, _ id: ConversationID, after: Int64, limit: Int, includePrivate: Bool)
        async throws -> [ChatMessage]
    {
        try await store.scoped(to: workspace).conversations.messages(
            id, after: after, limit: limit, includePrivate: includePrivate)
    }
}
