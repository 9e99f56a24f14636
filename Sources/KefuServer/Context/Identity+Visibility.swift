import KefuCore
import KefuStore

extension Identity {
    /// What this member sees of conversations, tickets and contacts, worked out once per request: everything when
    /// their role sees all conversations, else their teams', the team-less and their own.
    func visibility(_ data: WorkspaceData) async throws -> ConversationVisibility {
        ConversationVisibility(
            teams: can(.viewAllConversations) ? nil : try await data.teams.teams(of: user.id), user: user.id)
    }
}
