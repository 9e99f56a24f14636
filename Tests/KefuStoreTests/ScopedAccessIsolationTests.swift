import Foundation
import KefuCore
import KefuStore
import KefuTestSupport
import Logging
import SQLKit
import Testing

/// Scoped repositories never return or change a row of another workspace, for every table that has a
/// `workspace_id`. A new business table fails `everyWorkspaceTableIsCovered` until it joins this test.
@Suite struct ScopedAccessIsolationTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let instance = UUID()

    /// The business tables this test seeds and checks.
    static let covered: Set<String> = [
        "memberships", "teams", "team_members", "api_tokens", "web_sessions", "invitations", "audit_events",
        "kb_categories", "kb_articles", "kb_article_revisions", "kb_faqs", "kb_article_votes", "bot_intents", "bot_phrases",
        "bot_flows", "bot_models", "bot_index_log", "jobs", "contacts", "contact_identities", "conversations", "messages",
        "conversation_reads", "attachments", "canned_replies", "sensitive_words", "agent_presence", "message_search",
        "agent_connections", "business_hours", "deliveries", "email_settings", "tickets", "ticket_tags", "ticket_events",
        "ticket_views",
        "sla_policies", "sla_breaches", "idempotency_keys", "actions", "action_calls", "action_settings",
        "ticket_deflections", "ticket_fields",
    ]

    struct Seeded {
        var workspace: Workspace
        var user: UserAccount
        var team: Team
        var token: APITokenInfo
        var invitation: Invitation
        var sessionHash: String
        var article: KBArticle
        var faq: KBFAQ
        var category: KBCategory
        var intent: BotIntent
        var phrase: TrainingPhrase
        var model: BotModelVersion
        var job: Job
        var contact: Contact
        var conversation: Conversation
        var message: ChatMessage
        var attachment: ChatAttachment
        var reply: CannedReply
        var word: SensitiveWord
        var delivery: Delivery
        var tickets: SeededTickets
        var action: BusinessAction
    }

    private func seed(_ store: Store, slug: String) async throws -> Seeded {
        let system = store.unscoped
        let workspace = try await system.workspaces.create(slug: slug, name: slug, defaultLocale: .en, at: now)
        let user = try await system.users.create(
            email: "\(slug)@example.com", displayName: slug, locale: nil, passwordHash: "h", at: now)
        let data = store.scoped(to: workspace.id)
        _ = try await data.members.add(userID: user.id, role: .owner, at: now)
        let team = try await data.teams.create(name: "team-\(slug)", at: now)
        try await data.teams.addMember(teamID: team.id, userID: user.id)
        let token = try await data.tokens.create(
            userID: user.id, name: "t-\(slug)", kind: .personal, tokenHash: "token-\(slug)", at: now, expiresAt: nil)
        try await data.sessions.create(
            userID: user.id, tokenHash: "session-\(slug)", csrfToken: "c", at: now, expiresAt: now.addingTimeInterval(3600))
        let invitation = try await data.invitations.create(
            email: "new-\(slug)@example.com", role: .agent, tokenHash: "invite-\(slug)", invitedBy: user.id, at: now,
            expiresAt: now.addingTimeInterval(3600))
        try await data.audit.append(
            AuditEvent(
                id: AuditEventID(), workspaceID: nil, actorUserID: user.id, actorLabel: slug, action: .settingsChanged,
                target: slug, ip: nil, before: nil, after: nil, createdAt: now))
        let category = try await data.knowledge.createCategory(key: "c", nameEN: "C", nameZH: "C", position: 0, at: now)
        let article = try await data.knowledge.createArticle(
            ArticleDraft(
                title: "Returns \(slug)", body: "How to return", locale: .en, status: .published, categoryID: category.id),
            by: user.id, at: now)
        _ = try await data.knowledge.vote(article: article.id, visitor: "v-\(slug)", helpful: true, at: now)
        let faq = try await data.knowledge.createFAQ(
            questions: ["how do I return"], answer: "Like this", intent: nil, locale: .en, at: now)
        let intent = try await data.bot.createIntent(label: "returns", nameEN: "R", nameZH: "R", flow: nil, at: now)
        let phrase = try await data.bot.addPhrase(intent.id, text: "return it", locale: .en, source: .admin, at: now)
        try await data.bot.saveFlow(id: "f", definition: "{}", at: now)
        let model = try await data.bot.saveModel(
            blob: Data([1]), metrics: "{}", phraseCount: 1, intentCount: 1, dataHash: "h", by: user.id, activate: true, at: now)
        let job = try await data.jobs.enqueue(kind: "k", key: "key", payload: "{}", maxAttempts: 1, at: now)
        let contact = try await data.contacts.create(name: "Visitor \(slug)", at: now)
        _ = try await data.contacts.update(contact.id, ContactChange(email: "buyer@\(slug).example"), at: now)
        let conversation = try await data.conversations.start(
            contact: contact.id, status: .bot, locale: .en, team: team.id, at: now)
        let attachment = ChatAttachment(
            id: AttachmentID(), conversationID: conversation.id, fileName: "a.png", contentType: "image/png", size: 1,
            sha256: "h", createdAt: now)
        try await data.conversations.addAttachment(attachment, storageKey: "k-\(slug)")
        let message = try await data.transaction { tx in
            try await tx.conversations.append(
                conversation.id, NewMessage(clientID: "c1", sender: .customer, body: "hello \(slug)"), at: now)
        }.message
        _ = try await data.conversations.markRead(conversation.id, participant: "customer", seq: 1, at: now)
        let reply = try await data.cannedReplies.create(owner: nil, shortcut: "refund", body: "Refund \(slug)", at: now)
        let word = try await data.sensitiveWords.add("秘密", action: .mask, at: now)
        try await data.presence.set(user.id, .away, at: now)
        try await data.routing.connections(user.id, instance: Self.instance, delta: 1, at: now)
        _ = try await data.routing.enqueue(conversation.id, at: now)
        try await data.businessHours.set(
            BusinessHours(
                enabled: true, timeZone: slug == "shop-a" ? "Asia/Shanghai" : "Europe/Berlin",
                spans: [OpeningSpan(day: .mon, open: 540, close: 1080)], holidays: []), at: now)
        let delivery = try await data.deliveries.enqueue(
            NewDelivery(
                channel: .email, event: "conversation.reply", target: "buyer@\(slug).example", subject: slug,
                body: "Reply \(slug)", payload: "{}", threadKey: "conversation:\(conversation.id)",
                conversationID: conversation.id, messageID: message.id),
            at: now)
        try await data.emailSettings.save(sealedSMTPURL: "sealed-\(slug)", from: "help@\(slug).example", at: now)
        return Seeded(
            workspace: workspace, user: user, team: team, token: token, invitation: invitation,
            sessionHash: "session-\(slug)", article: article, faq: faq, category: category, intent: intent, phrase: phrase,
            model: model, job: job, contact: contact, conversation: conversation, message: message, attachment: attachment,
            reply: reply, word: word, delivery: delivery,
            tickets: try await seedTickets(data, contact: contact, user: user, article: article, slug: slug, at: now),
            action: try await seedAction(data, slug: slug, at: now))
    }

    private static func tablesWithWorkspaceColumn(_ sql: any SQLDatabase, postgres: Bool) async throws -> Set<String> {
        if postgres {
            let rows = try await sql.raw(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'workspace_id' AND table_schema = 'public'"
            ).all()
            return Set(try rows.map { try $0.decode(column: "table_name", as: String.self) })
        }
        let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all()
            .map { try $0.decode(column: "name", as: String.self) }
        var found: Set<String> = []
        for table in tables {
            let columns = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all()
            if try columns.contains(where: { try $0.decode(column: "name", as: String.self) == "workspace_id" }) {
                found.insert(table)
            }
        }
        return found
    }

    private static func counts(_ sql: any SQLDatabase, of workspace: WorkspaceID) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in covered.sorted() {
            let row = try await sql.raw(
                "SELECT COUNT(*) AS n FROM \(ident: table) WHERE workspace_id = \(bind: workspace.uuid)"
            ).first()
            counts[table] = try row?.decode(column: "n", as: Int.self) ?? -1
        }
        return counts
    }

    @Test(arguments: TestDatabase.all)
    func everyWorkspaceTableIsCovered(_ db: TestDatabase) async throws {
        try await db.withStore { store in
            try await MigrationRunner(database: store.database, logger: Logger(label: "test")).migrate()
            let sql = try #require(store.database as? any SQLDatabase)
            let tables = try await Self.tablesWithWorkspaceColumn(sql, postgres: db == .postgres)
            #expect(
                tables == Self.covered, "tables with workspace_id not covered by this test: \(tables.subtracting(Self.covered))")
        }
    }

    @Test(arguments: TestDatabase.all)
    func scopedAccessNeverReadsOrChangesAnotherWorkspace(_ db: TestDatabase) async throws {
        try await db.withStore { store in
            try await MigrationRunner(database: store.database, logger: Logger(label: "test")).migrate()
            let a = try await seed(store, slug: "shop-a")
            let b = try await seed(store, slug: "shop-b")
            let sql = try #require(store.database as? any SQLDatabase)
            let before = try await Self.counts(sql, of: b.workspace.id)
            #expect(before.values.allSatisfy { $0 > 0 }, "every covered table holds a row of B: \(before)")

            let scopedA = store.scoped(to: a.workspace.id)
            // Reads see only A.
            #expect(try await scopedA.profile.get().id == a.workspace.id)
            #expect(try await scopedA.members.list(after: nil, limit: 100).map(\.user.id) == [a.user.id])
            #expect(try await scopedA.members.membership(userID: b.user.id) == nil)
            #expect(try await scopedA.teams.list().map(\.id) == [a.team.id])
            #expect(try await scopedA.teams.memberCount(teamID: b.team.id) == 0)
            #expect(try await scopedA.tokens.personal(userID: b.user.id).isEmpty)
            #expect(try await scopedA.knowledge.articles(ArticleFilter(), offset: 0, limit: 100).map(\.id) == [a.article.id])
            #expect(try await scopedA.knowledge.faqs(locale: nil).map(\.id) == [a.faq.id])
            #expect(try await scopedA.knowledge.categories().map(\.id) == [a.category.id])
            #expect(try await scopedA.knowledge.everything().articles.map(\.id) == [a.article.id])
            #expect(try await scopedA.knowledge.changes(since: 0).articles.map(\.id) == [a.article.id])
            #expect(try await scopedA.knowledge.translations(of: b.article.translationGroup).isEmpty)
            #expect(try await scopedA.bot.intents().map(\.id) == [a.intent.id])
            #expect(try await scopedA.bot.trainingData().map(\.text) == ["return it"])
            #expect(try await scopedA.bot.models().map(\.id) == [a.model.id])
            #expect(try await scopedA.bot.activeModel()?.info.id == a.model.id)
            #expect(Array(try await scopedA.bot.flows().keys) == ["f"])
            #expect(
                try await scopedA.conversations.conversations(ConversationFilter(), limit: 100).map(\.id) == [a.conversation.id])
            #expect(try await scopedA.conversations.count(ConversationFilter()) == 1)
            #expect(try await scopedA.contacts.contact(email: "buyer@shop-b.example") == nil)
            #expect(
                try await scopedA.contacts.contacts(ids: [a.contact.id, b.contact.id]).keys.sorted {
                    $0.description < $1.description
                } == [a.contact.id])
            #expect(
                try await scopedA.conversations.messages(b.conversation.id, after: 0, limit: 10, includePrivate: true).isEmpty)
            #expect(try await scopedA.conversations.readMarks(b.conversation.id).isEmpty)
            #expect(try await scopedA.cannedReplies.visible(to: b.user.id, prefix: nil).map(\.id) == [a.reply.id])
            #expect(try await scopedA.sensitiveWords.all().map(\.id) == [a.word.id])
            #expect(Array(try await scopedA.presence.statuses().keys) == [a.user.id])
            let since = now.addingTimeInterval(-30)
            #expect(try await scopedA.routing.connectedAgents(since: since) == [a.user.id])
            #expect(Array(try await scopedA.routing.loads(connectedSince: since).keys) == [a.user.id])
            #expect(try await scopedA.routing.queue(team: b.team.id, limit: 10).isEmpty)
            #expect(try await scopedA.routing.queue(team: a.team.id, limit: 10) == [a.conversation.id])
            #expect(try await scopedA.routing.queuedTeams() == [a.team.id])
            await #expect(throws: DomainError.notFound(.member)) { _ = try await scopedA.routing.settings(b.user.id) }
            await #expect(throws: DomainError.notFound(.member)) {
                try await scopedA.routing.setSettings(b.user.id, AgentRouting(maxChats: 0, skills: [], languages: []))
            }
            await #expect(throws: DomainError.notFound(.team)) { _ = try await scopedA.teams.members(of: b.team.id) }
            await #expect(throws: DomainError.notFound(.team)) {
                _ = try await scopedA.teams.removeMember(teamID: b.team.id, userID: b.user.id)
            }
            await #expect(throws: DomainError.notFound(.conversation)) {
                _ = try await scopedA.routing.assign(b.conversation.id, to: a.user.id, at: now)
            }
            await #expect(throws: DomainError.notFound(.conversation)) {
                _ = try await scopedA.routing.dequeue(b.conversation.id)
            }
            try await scopedA.routing.heartbeat(instance: Self.instance, at: now.addingTimeInterval(5))
            #expect(try await scopedA.businessHours.get().timeZone == "Asia/Shanghai")
            try await scopedA.businessHours.set(.always, at: now)
            #expect(try await store.scoped(to: b.workspace.id).businessHours.get().timeZone == "Europe/Berlin")
            #expect(
                try await scopedA.deliveries.list(status: nil, channel: nil, conversation: nil, before: nil, limit: 10).map(\.id)
                    == [a.delivery.id])
            #expect(
                try await scopedA.deliveries.list(
                    status: .queued, channel: nil, conversation: b.conversation.id, before: nil, limit: 10
                ).isEmpty)
            await #expect(throws: DomainError.notFound(.delivery)) { _ = try await scopedA.deliveries.delivery(b.delivery.id) }
            await #expect(throws: DomainError.notFound(.delivery)) {
                _ = try await scopedA.deliveries.retry(b.delivery.id, at: now)
            }
            #expect(try await scopedA.deliveries.thread(of: b.delivery, limit: 10).isEmpty)
            #expect(try await scopedA.emailSettings.settings()?.sealedSMTPURL == "sealed-shop-a")
            try await scopedA.emailSettings.clear()
            #expect(try await store.scoped(to: b.workspace.id).emailSettings.settings()?.sealedSMTPURL == "sealed-shop-b")
            await #expect(throws: DomainError.notFound(.conversation)) {
                _ = try await scopedA.deliveries.enqueue(
                    NewDelivery(
                        channel: .email, event: "test", target: "x@example.com", body: "x", payload: "{}",
                        conversationID: b.conversation.id),
                    at: now)
            }
            let everyone = ConversationVisibility(teams: nil, user: a.user.id)
            #expect(try await scopedA.conversations.search("hello", visibleTo: everyone, limit: 10).map(\.id) == [a.message.id])
            #expect(try await scopedA.conversations.search("shop-b", visibleTo: everyone, limit: 10).isEmpty)
            let events = try await scopedA.audit.events(before: nil, limit: 100)
            #expect(!events.isEmpty && events.allSatisfy { $0.workspaceID == a.workspace.id })

            // Writes aimed at B's rows through A are not found and change nothing.
            await #expect(throws: DomainError.notFound(.member)) {
                _ = try await scopedA.members.setRole(userID: b.user.id, role: .agent)
            }
            await #expect(throws: DomainError.notFound(.member)) { _ = try await scopedA.members.remove(userID: b.user.id) }
            await #expect(throws: DomainError.notFound(.token)) {
                _ = try await scopedA.tokens.revoke(id: b.token.id, userID: b.user.id, at: now)
            }
            await #expect(throws: DomainError.notFound(.invitation)) {
                try await scopedA.invitations.markAccepted(id: b.invitation.id, at: now)
            }
            await #expect(throws: DomainError.notFound(.team)) {
                try await scopedA.teams.addMember(teamID: b.team.id, userID: a.user.id)
            }
            await #expect(throws: DomainError.notFound(.member)) {
                try await scopedA.teams.addMember(teamID: a.team.id, userID: b.user.id)
            }
            try await scopedA.sessions.delete(tokenHash: b.sessionHash)
            await #expect(throws: DomainError.notFound(.article)) { _ = try await scopedA.knowledge.article(b.article.id) }
            await #expect(throws: DomainError.notFound(.article)) {
                _ = try await scopedA.knowledge.updateArticle(
                    b.article.id, ArticleDraft(title: "x", body: "x", locale: .en, status: .draft), expectedVersion: 1, by: nil,
                    at: now)
            }
            await #expect(throws: DomainError.notFound(.article)) { try await scopedA.knowledge.deleteArticle(b.article.id) }
            await #expect(throws: DomainError.notFound(.article)) {
                _ = try await scopedA.knowledge.createArticle(
                    ArticleDraft(title: "t", body: "b", locale: .zhCN, status: .draft, translationOf: b.article.id), by: nil,
                    at: now)
            }
            await #expect(throws: DomainError.notFound(.article)) {
                _ = try await scopedA.knowledge.vote(article: b.article.id, visitor: "v", helpful: false, at: now)
            }
            await #expect(throws: DomainError.notFound(.category)) {
                _ = try await scopedA.knowledge.createArticle(
                    ArticleDraft(title: "t", body: "b", locale: .en, status: .draft, categoryID: b.category.id), by: nil, at: now)
            }
            await #expect(throws: DomainError.notFound(.category)) { try await scopedA.knowledge.deleteCategory(b.category.id) }
            await #expect(throws: DomainError.notFound(.faq)) { try await scopedA.knowledge.deleteFAQ(b.faq.id) }
            await #expect(throws: DomainError.notFound(.faq)) {
                _ = try await scopedA.knowledge.updateFAQ(
                    b.faq.id, questions: ["q"], answer: "a", intent: nil, locale: .en, expectedVersion: 1, at: now)
            }
            await #expect(throws: DomainError.notFound(.intent)) { try await scopedA.bot.deleteIntent(b.intent.id) }
            await #expect(throws: DomainError.notFound(.intent)) {
                _ = try await scopedA.bot.addPhrase(b.intent.id, text: "x", locale: .en, source: .admin, at: now)
            }
            #expect(
                try await scopedA.bot.addPhrases([(intent: b.intent.id, text: "sneaky", locale: .en)], source: .admin, at: now)
                    == 0)
            await #expect(throws: DomainError.notFound(.phrase)) { try await scopedA.bot.deletePhrase(b.phrase.id) }
            await #expect(throws: DomainError.notFound(.botModel)) { _ = try await scopedA.bot.activate(b.model.id) }
            await #expect(throws: DomainError.notFound(.job)) { _ = try await scopedA.jobs.job(b.job.id) }
            await #expect(throws: DomainError.notFound(.contact)) { _ = try await scopedA.contacts.contact(b.contact.id) }
            await #expect(throws: DomainError.notFound(.contact)) {
                _ = try await scopedA.contacts.update(b.contact.id, ContactChange(name: "x"), at: now)
            }
            await #expect(throws: DomainError.notFound(.contact)) {
                _ = try await scopedA.contacts.merge(b.contact.id, into: a.contact.id, at: now)
            }
            await #expect(throws: DomainError.notFound(.conversation)) {
                _ = try await scopedA.conversations.conversation(b.conversation.id)
            }
            await #expect(throws: DomainError.notFound(.conversation)) {
                _ = try await scopedA.transaction { tx in
                    try await tx.conversations.append(
                        b.conversation.id, NewMessage(clientID: "x", sender: .customer, body: "sneaky"), at: now)
                }
            }
            await #expect(throws: DomainError.notFound(.conversation)) {
                _ = try await scopedA.conversations.update(b.conversation.id, ConversationChange(status: .resolved), at: now)
            }
            await #expect(throws: DomainError.notFound(.conversation)) {
                _ = try await scopedA.conversations.claim(b.conversation.id, for: a.user.id, at: now)
            }
            await #expect(throws: DomainError.notFound(.conversation)) {
                _ = try await scopedA.conversations.markRead(b.conversation.id, participant: "customer", seq: 9, at: now)
            }
            await #expect(throws: DomainError.notFound(.attachment)) {
                _ = try await scopedA.conversations.attachment(b.attachment.id)
            }
            await #expect(throws: DomainError.notFound(.conversation)) {
                try await scopedA.conversations.addAttachment(
                    ChatAttachment(
                        id: AttachmentID(), conversationID: b.conversation.id, fileName: "x", contentType: "image/png", size: 1,
                        sha256: "h", createdAt: now), storageKey: "x")
            }
            await #expect(throws: DomainError.notFound(.cannedReply)) {
                _ = try await scopedA.cannedReplies.update(b.reply.id, shortcut: "x", body: nil, at: now)
            }
            await #expect(throws: DomainError.notFound(.cannedReply)) { try await scopedA.cannedReplies.delete(b.reply.id) }
            await #expect(throws: DomainError.notFound(.sensitiveWord)) {
                _ = try await scopedA.sensitiveWords.setAction(b.word.id, .block)
            }
            await #expect(throws: DomainError.notFound(.sensitiveWord)) { try await scopedA.sensitiveWords.delete(b.word.id) }
            try await checkTickets(scopedA, a: a, b: b, at: now)
            try await checkActions(scopedA, a: a, b: b, at: now)
            // A's audit append lands in A even when the event names B.
            try await scopedA.audit.append(
                AuditEvent(
                    id: AuditEventID(), workspaceID: b.workspace.id, actorUserID: nil, actorLabel: "x", action: .signOut,
                    target: nil, ip: nil, before: nil, after: nil, createdAt: now))

            #expect(try await Self.counts(sql, of: b.workspace.id) == before)
            // Updates keep counts: B's rows still hold what B wrote (A's heartbeat shares B's instance id).
            let scopedB = store.scoped(to: b.workspace.id)
            #expect(try await scopedB.routing.connectedAgents(since: now.addingTimeInterval(1)).isEmpty)
            #expect(try await scopedB.conversations.conversation(b.conversation.id).queuedAt == now)
            #expect(try await scopedB.tickets.ticket(b.tickets.ticket.ticket.id).ticket.subject == "Ticket shop-b")
            #expect(try await scopedB.ticketViews.view(b.tickets.view.id).name == "View shop-b")
            #expect(try await scopedB.slaPolicies.policy(b.tickets.policy.id).name == "Policy shop-b")
            #expect(try await scopedB.ticketFields.field(b.tickets.field.id).name == "Reason shop-b")
            #expect(try await scopedB.actions.action(b.action.id).url == "https://shop-b.example/orders/{{order}}")
            #expect(try await scopedB.routing.settings(b.user.id).maxChats == 5)
            #expect(try await store.unscoped.credentials.session(tokenHash: b.sessionHash, now: now) != nil)
            #expect(try await store.scoped(to: b.workspace.id).members.membership(userID: b.user.id)?.role == .owner)
            #expect(try await store.unscoped.credentials.useToken(tokenHash: "token-shop-b", now: now) != nil)
        }
    }
}
