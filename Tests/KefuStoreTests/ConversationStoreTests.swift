import Foundation
import KefuCore
import KefuStore
import KefuTestSupport
import Logging
import Testing

/// Messages get gap-free per-conversation sequence numbers in the same transaction as their row, resends are stored
/// once, concurrent appends never share a number, and read marks only move forward — on SQLite and PostgreSQL.
@Suite struct ConversationStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func withConversation(
        _ db: TestDatabase, _ body: (Store, WorkspaceData, Conversation) async throws -> Void
    ) async throws {
        try await db.withStore { store in
            try await MigrationRunner(database: store.database, logger: Logger(label: "test")).migrate()
            let ws = try await store.unscoped.workspaces.create(slug: "chat", name: "Chat", defaultLocale: .en, at: now)
            let data = store.scoped(to: ws.id)
            let contact = try await data.contacts.create(name: nil, at: now)
            let conversation = try await data.conversations.start(
                contact: contact.id, status: .bot, locale: .zhCN, team: nil, at: now)
            try await body(store, data, conversation)
        }
    }

    private func send(_ data: WorkspaceData, _ id: ConversationID, _ clientID: String?, _ text: String) async throws
        -> AppendResult
    {
        try await data.transaction { tx in
            try await tx.conversations.append(id, NewMessage(clientID: clientID, sender: .customer, body: text), at: now)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aResendWithTheSameClientIDIsStoredOnce(_ db: TestDatabase) async throws {
        try await withConversation(db) { _, data, conversation in
            let first = try await send(data, conversation.id, "c-1", "你好")
            let again = try await send(data, conversation.id, "c-1", "你好")
            let second = try await send(data, conversation.id, "c-2", "在吗")
            #expect(first.isNew && !again.isNew && second.isNew)
            #expect(again.message.id == first.message.id)
            #expect([first.message.seq, second.message.seq] == [1, 2])
            let stored = try await data.conversations.messages(conversation.id, after: 0, limit: 10, includePrivate: true)
            #expect(stored.map(\.body) == ["你好", "在吗"])
            let reloaded = try await data.conversations.conversation(conversation.id)
            #expect(reloaded.lastSeq == 2)
            #expect(reloaded.preview == "在吗")
        }
    }

    @Test(arguments: TestDatabase.all)
    func concurrentAppendsGetDistinctGapFreeSequenceNumbers(_ db: TestDatabase) async throws {
        try await withConversation(db) { _, data, conversation in
            try await withThrowingTaskGroup(of: Void.self) { group in
                // As many writers as pooled connections, some resending: they queue on the row lock. More writers
                // also queue on the pool, whose 10 s request timeout a loaded machine (a release build beside the
                // suite) ran out with 12 and 24.
                for i in 0..<8 {
                    group.addTask { _ = try await send(data, conversation.id, "c-\(i % 6)", "m\(i % 6)") }
                }
                try await group.waitForAll()
            }
            let stored = try await data.conversations.messages(conversation.id, after: 0, limit: 100, includePrivate: true)
            #expect(stored.map(\.seq) == Array(1...6))
            #expect(Set(stored.compactMap(\.clientID)).count == 6)
        }
    }

    private struct Refused: Error {}

    /// Chat writes share transactions on SQLite (`groupedTransaction`): a unit that throws after writing gets its
    /// error and leaves nothing behind (message, search row, sequence number); the others are stored once each.
    @Test(arguments: TestDatabase.all)
    func aFailingWriteInAGroupCommitIsUndoneAloneAndTheOthersAreStored(_ db: TestDatabase) async throws {
        try await withConversation(db) { _, data, conversation in
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for i in 0..<24 {
                    group.addTask { [now] in
                        do {
                            _ = try await data.groupedTransaction { tx in
                                let message = NewMessage(clientID: "g-\(i)", sender: .customer, body: "word\(i) 消息")
                                _ = try await tx.conversations.append(conversation.id, message.withIndexTerms(), at: now)
                                if i % 5 == 0 { throw Refused() }
                            }
                            return (i, true)
                        } catch is Refused {
                            return (i, false)
                        }
                    }
                }
                return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            let kept = outcomes.filter(\.value).map(\.key)
            #expect(outcomes.count == 24 && kept.count == 19)
            let stored = try await data.conversations.messages(conversation.id, after: 0, limit: 100, includePrivate: true)
            #expect(stored.map(\.seq) == Array(1...19))
            #expect(Set(stored.map(\.body)) == Set(kept.map { "word\($0) 消息" }))
            #expect(try await data.conversations.conversation(conversation.id).lastSeq == 19)
            let everyone = ConversationVisibility(teams: nil, user: UserID(UUID()))
            #expect(try await data.conversations.search("word5", visibleTo: everyone, limit: 10).isEmpty)
            #expect(try await data.conversations.search("word6", visibleTo: everyone, limit: 10).map(\.body) == ["word6 消息"])
        }
    }

    /// The quick way (one thread hop on a SQLite file) writes only what changes nothing else, and says so; the rest is
    /// left to the general path. PostgreSQL has no quick way.
    @Test(arguments: TestDatabase.all)
    func theQuickAppendWritesOnlyWhatChangesNothingElse(_ db: TestDatabase) async throws {
        try await withConversation(db) { _, data, conversation in
            let customer = NewMessage(clientID: "q-1", sender: .customer, body: "你好 quick").withIndexTerms()
            let first = try await data.quickAppend(conversation.id, customer, contact: conversation.contactID, at: now)
            guard db == .sqlite else {
                #expect(first == nil)
                return
            }
            let stored = try #require(first)
            #expect(stored.isNew && stored.message.seq == 1 && stored.conversation.lastSeq == 1)
            #expect(stored.conversation.preview == "你好 quick")
            // A resend, another contact's conversation, an agent's reply to the bot's: nothing written.
            #expect(try await data.quickAppend(conversation.id, customer, contact: conversation.contactID, at: now) == nil)
            let other = NewMessage(clientID: "q-2", sender: .customer, body: "not mine")
            #expect(try await data.quickAppend(conversation.id, other, contact: ContactID(UUID()), at: now) == nil)
            let agent = NewMessage(clientID: "a-1", sender: .agent, senderID: UserID(UUID()), body: "hi")
            #expect(try await data.quickAppend(conversation.id, agent, contact: nil, at: now) == nil)
            // Resolved: the customer's message must reopen it, which the quick way does not do.
            _ = try await data.transaction { tx in
                try await tx.conversations.update(conversation.id, ConversationChange(status: .resolved), at: now)
            }
            let late = NewMessage(clientID: "q-3", sender: .customer, body: "again")
            #expect(try await data.quickAppend(conversation.id, late, contact: conversation.contactID, at: now) == nil)
            let messages = try await data.conversations.messages(conversation.id, after: 0, limit: 10, includePrivate: true)
            #expect(messages.map(\.body) == ["你好 quick"])
            let everyone = ConversationVisibility(teams: nil, user: UserID(UUID()))
            #expect(try await data.conversations.search("quick", visibleTo: everyone, limit: 5).map(\.seq) == [1])
        }
    }

    @Test(arguments: TestDatabase.all)
    func privateNotesAreLeftOutUnlessAsked(_ db: TestDatabase) async throws {
        try await withConversation(db) { _, data, conversation in
            _ = try await send(data, conversation.id, "c-1", "hello")
            _ = try await data.transaction { tx in
                try await tx.conversations.append(
                    conversation.id, NewMessage(clientID: "n-1", sender: .agent, body: "VIP", isPrivate: true), at: now)
            }
            _ = try await send(data, conversation.id, "c-2", "anyone?")
            let customer = try await data.conversations.messages(conversation.id, after: 0, limit: 10, includePrivate: false)
            #expect(customer.map(\.seq) == [1, 3])
            let older = try await data.conversations.messages(conversation.id, before: 3, limit: 1, includePrivate: true)
            #expect(older.map(\.body) == ["VIP"])
            #expect(try await data.conversations.conversation(conversation.id).preview == "anyone?")
        }
    }

    @Test(arguments: TestDatabase.all)
    func readMarksOnlyMoveForwardAndStopAtTheLastMessage(_ db: TestDatabase) async throws {
        try await withConversation(db) { _, data, conversation in
            _ = try await send(data, conversation.id, "a", "1")
            _ = try await send(data, conversation.id, "b", "2")
            #expect(try await data.conversations.markRead(conversation.id, participant: "customer", seq: 9, at: now) == 2)
            #expect(try await data.conversations.markRead(conversation.id, participant: "customer", seq: 1, at: now) == 2)
            #expect(try await data.conversations.readMarks(conversation.id) == ["customer": 2])
        }
    }

    @Test(arguments: TestDatabase.all)
    func onlyOneAgentClaimsAConversation(_ db: TestDatabase) async throws {
        try await withConversation(db) { store, data, conversation in
            var agents: [UserID] = []
            for name in ["a", "b", "c"] {
                let user = try await store.unscoped.users.create(
                    email: "\(name)@example.com", displayName: name, locale: nil, passwordHash: "h", at: now)
                agents.append(user.id)
            }
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for agent in agents {
                    group.addTask {
                        do {
                            _ = try await data.conversations.claim(conversation.id, for: agent, at: now)
                            return true
                        } catch DomainError.conflict(.alreadyAssigned) {
                            return false
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == 1)
            #expect(try await data.conversations.conversation(conversation.id).assigneeID.map(agents.contains) == true)
        }
    }

    @Test(arguments: TestDatabase.all)
    func mergingMovesConversationsAndTheOldContactAnswersAsTheNewOne(_ db: TestDatabase) async throws {
        try await withConversation(db) { _, data, conversation in
            let known = try await data.contacts.create(name: "Li Lei", at: now)
            _ = try await data.contacts.update(known.id, ContactChange(email: "LI@example.com"), at: now)
            await #expect(throws: DomainError.conflict(.identityTaken)) {
                _ = try await data.contacts.update(conversation.contactID, ContactChange(email: "li@example.com"), at: now)
            }
            let merged = try await data.contacts.merge(conversation.contactID, into: known.id, at: now)
            #expect(merged.id == known.id)
            #expect(try await data.contacts.contact(conversation.contactID).id == known.id)
            #expect(try await data.contacts.contact(email: "li@example.com")?.id == known.id)
            #expect(try await data.conversations.conversation(conversation.id).contactID == known.id)
        }
    }
}
