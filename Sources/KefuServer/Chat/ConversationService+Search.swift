import Foundation
import KefuCore
import KefuStore

extension ConversationService {
    /// Messages matching `query` in the conversations the agent may see, newest first, with their conversations and
    /// contacts. Chinese is matched by character pairs after the bot's normalisation, so 退款 finds 退款 and 退款
    /// 的, and full-width or traditional forms find the same messages.
    func search(_ actor: Identity, query: String, limit: Int) async throws -> [(ChatMessage, Conversation, Contact?)] {
        let query = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(query.count), !Validate.containsControlCharacters(query) else {
            throw DomainError.invalid(ValidationErrors("q", .length(min: 1, max: 100)))
        }
        let data = store.scoped(to: actor.workspace.id)
        let teams = actor.can(.viewAllConversations) ? nil : try await data.teams.teams(of: actor.user.id)
        let messages = try await data.conversations.search(
            query, visibleTo: ConversationVisibility(teams: teams, user: actor.user.id), limit: min(max(limit, 1), 50))
        var conversations: [ConversationID: Conversation] = [:]
        for id in Set(messages.map(\.conversationID)) { conversations[id] = try await data.conversations.conversation(id) }
        let contacts = try await data.contacts.contacts(ids: Array(Set(conversations.values.map(\.contactID))))
        return messages.compactMap { message in
            guard let conversation = conversations[message.conversationID] else { return nil }
            return (message, conversation, contacts[conversation.contactID])
        }
    }
}
