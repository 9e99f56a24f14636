import FluentKit
import Foundation
import KefuCore
import SQLKit

/// What an article edit sets; nil keeps the stored value.
public struct ArticleDraft: Sendable {
    public var title: String
    public var body: String
    public var locale: ContentLocale
    public var status: PublicationStatus
    public var categoryID: CategoryID?
    /// Another article of the workspace this one translates; its translation group is joined.
    public var translationOf: ArticleID?

    public init(
        title: String, body: String, locale: ContentLocale, status: PublicationStatus, categoryID: CategoryID? = nil,
        translationOf: ArticleID? = nil
    ) {
        self.title = title
        self.body = body
        self.locale = locale
        self.status = status
        self.categoryID = categoryID
        self.translationOf = translationOf
    }
}

/// Which articles a listing shows.
public struct ArticleFilter: Sendable {
    public var status: PublicationStatus?
    public var locale: ContentLocale?
    public var categoryID: CategoryID?

    public init(status: PublicationStatus? = nil, locale: ContentLocale? = nil, categoryID: CategoryID? = nil) {
        self.status = status
        self.locale = locale
        self.categoryID = categoryID
    }
}

/// Categories, articles with their revisions, FAQ entries and portal votes of the bound workspace. Every write
/// also records which index entry changed at which revision (`bot_index_log`), so that every instance's retrieval
/// index follows entry by entry. Writes are meant to run inside `WorkspaceData.transaction`.
public protocol KnowledgeRepository: Sendable {
    func categories() async throws -> [KBCategory]
    func createCategory(key: String, nameEN: String, nameZH: String, position: Int, at: Date) async throws -> KBCategory
    func deleteCategory(_ id: CategoryID) async throws

    func article(_ id: ArticleID) async throws -> KBArticle
    func articles(_ filter: ArticleFilter, offset: Int, limit: Int) async throws -> [KBArticle]
    func translations(of group: UUID) async throws -> [KBArticle]
    func createArticle(_ draft: ArticleDraft, by: UserID?, at: Date) async throws -> KBArticle
    /// Saves a new state when `expectedVersion` is the stored one, else `DomainError.conflict(.staleVersion)`.
    func updateArticle(_ id: ArticleID, _ draft: ArticleDraft, expectedVersion: Int, by: UserID?, at: Date) async throws
        -> KBArticle
    func deleteArticle(_ id: ArticleID) async throws
    func revisions(of id: ArticleID) async throws -> [KBRevision]
    func revision(_ id: RevisionID) async throws -> KBRevision

    func faq(_ id: FAQID) async throws -> KBFAQ
    func faqs(locale: ContentLocale?) async throws -> [KBFAQ]
    func createFAQ(questions: [String], answer: String, intent: String?, locale: ContentLocale, at: Date) async throws -> KBFAQ
    func updateFAQ(
        _ id: FAQID, questions: [String], answer: String, intent: String?, locale: ContentLocale, expectedVersion: Int,
        at: Date
    ) async throws -> KBFAQ
    func deleteFAQ(_ id: FAQID) async throws

    /// Records a visitor's vote; a second vote by the same visitor replaces the first. Returns the article's counts.
    func vote(article: ArticleID, visitor: String, helpful: Bool, at: Date) async throws -> (helpful: Int, unhelpful: Int)

    /// The workspace's current index revision.
    func revision() async throws -> Int
    /// Entries changed after `revision`, with their current state.
    func changes(since revision: Int) async throws -> KnowledgeChanges
    /// Every published article and FAQ entry with the current revision, to build an index from nothing.
    func everything() async throws -> KnowledgeChanges
    /// Marks `entries` ("article:<id>", "faq:<id>", "model") as changed at a new revision.
    func recordChange(_ entries: [String], at: Date) async throws
}

struct SQLKnowledgeRepository: KnowledgeRepository {
    let scope: WorkspaceScope

    func categories() async throws -> [KBCategory] {
        try await scope.query(CategoryModel.self).sort(\.$position).sort(\.$key).all().map { try $0.record() }
    }

    func createCategory(key: String, nameEN: String, nameZH: String, position: Int, at: Date) async throws -> KBCategory {
        let model = CategoryModel()
        model.id = UUID()
        model.workspaceID = scope.workspaceID.uuid
        model.key = key
        model.nameEN = nameEN
        model.nameZH = nameZH
        model.position = position
        model.createdAt = at
        try await createUnique(model, on: scope.db, conflict: .categoryKeyTaken)
        return try model.record()
    }

    func deleteCategory(_ id: CategoryID) async throws {
        guard let model = try await scope.query(CategoryModel.self).filter(\.$id == id.uuid).first() else {
            throw DomainError.notFound(.category)
        }
        try await scope.query(ArticleModel.self).filter(\.$categoryID == id.uuid).set(\.$categoryID, to: nil).update()
        try await model.delete(on: scope.db)
    }

    func article(_ id: ArticleID) async throws -> KBArticle { try await articleModel(id).record() }

    private func articleModel(_ id: ArticleID) async throws -> ArticleModel {
        guard let model = try await scope.query(ArticleModel.self).filter(\.$id == id.uuid).first() else {
            throw DomainError.notFound(.article)
        }
        return model
    }

    func articles(_ filter: ArticleFilter, offset: Int, limit: Int) async throws -> [KBArticle] {
        let query = scope.query(ArticleModel.self).sort(\.$updatedAt, .descending).sort(\.$id).offset(offset).limit(limit)
        if let status = filter.status { query.filter(\.$status == status.rawValue) }
        if let locale = filter.locale { query.filter(\.$locale == locale.rawValue) }
        if let category = filter.categoryID { query.filter(\.$categoryID == category.uuid) }
        return try await query.all().map { try $0.record() }
    }

    func translations(of group: UUID) async throws -> [KBArticle] {
        try await scope.query(ArticleModel.self).filter(\.$translationGroup == group).sort(\.$locale).all()
            .map { try $0.record() }
    }

    func createArticle(_ draft: ArticleDraft, by: UserID?, at: Date) async throws -> KBArticle {
        try await requireCategory(draft.categoryID)
        let model = ArticleModel()
        model.id = UUID()
        model.workspaceID = scope.workspaceID.uuid
        model.translationGroup = UUID()
        if let source = draft.translationOf {
            model.translationGroup = try await articleModel(source).translationGroup
        }
        apply(draft, to: model, at: at)
        model.version = 1
        model.helpfulCount = 0
        model.unhelpfulCount = 0
        model.createdAt = at
        try await createUnique(model, on: scope.db, conflict: .translationExists)
        try await saveRevision(of: model, by: by, at: at)
        try await recordChange(["article:" + (try model.requireID()).uuidString], at: at)
        return try model.record()
    }

    func updateArticle(_ id: ArticleID, _ draft: ArticleDraft, expectedVersion: Int, by: UserID?, at: Date) async throws
        -> KBArticle
    {
        try await requireCategory(draft.categoryID)
        // Taking the revision first locks the workspace's knowledge (PostgreSQL row lock; SQLite's one writer), so the
        // version compared below cannot change before the write.
        try await recordChange(["article:" + id.description], at: at)
        let model = try await articleModel(id)
        guard model.version == expectedVersion else { throw DomainError.conflict(.staleVersion) }
        apply(draft, to: model, at: at)
        model.version += 1
        do {
            try await model.update(on: scope.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw DomainError.conflict(.translationExists)
        }
        try await saveRevision(of: model, by: by, at: at)
        return try model.record()
    }

    private func apply(_ draft: ArticleDraft, to model: ArticleModel, at: Date) {
        if draft.status == .published, model.$status.value != PublicationStatus.published.rawValue { model.publishedAt = at }
        model.title = draft.title
        model.body = draft.body
        model.locale = draft.locale.rawValue
        model.status = draft.status.rawValue
        model.categoryID = draft.categoryID?.uuid
        model.updatedAt = at
    }

    private func requireCategory(_ id: CategoryID?) async throws {
        guard let id else { return }
        guard try await scope.query(CategoryModel.self).filter(\.$id == id.uuid).first() != nil else {
            throw DomainError.notFound(.category)
        }
    }

    private func saveRevision(of article: ArticleModel, by: UserID?, at: Date) async throws {
        let revision = RevisionModel()
        revision.id = UUID()
        revision.workspaceID = scope.workspaceID.uuid
        revision.articleID = try article.requireID()
        revision.version = article.version
        revision.title = article.title
        revision.body = article.body
        revision.status = article.status
        revision.editedBy = by?.uuid
        revision.createdAt = at
        try await revision.create(on: scope.db)
    }

    func deleteArticle(_ id: ArticleID) async throws {
        let model = try await articleModel(id)
        try await recordChange(["article:" + id.description], at: Date())
        try await model.delete(on: scope.db)
    }

    func revisions(of id: ArticleID) async throws -> [KBRevision] {
        _ = try await articleModel(id)
        return try await scope.query(RevisionModel.self).filter(\.$articleID == id.uuid).sort(\.$version, .descending)
            .all().map { try $0.record() }
    }

    func revision(_ id: RevisionID) async throws -> KBRevision {
        guard let model = try await scope.query(RevisionModel.self).filter(\.$id == id.uuid).first() else {
            throw DomainError.notFound(.revision)
        }
        return try model.record()
    }

    func faq(_ id: FAQID) async throws -> KBFAQ { try await faqModel(id).record() }

    private func faqModel(_ id: FAQID) async throws -> FAQModel {
        guard let model = try await scope.query(FAQModel.self).filter(\.$id == id.uuid).first() else {
            throw DomainError.notFound(.faq)
        }
        return model
    }

    func faqs(locale: ContentLocale?) async throws -> [KBFAQ] {
        let query = scope.query(FAQModel.self).sort(\.$updatedAt, .descending).sort(\.$id)
        if let locale { query.filter(\.$locale == locale.rawValue) }
        return try await query.all().map { try $0.record() }
    }

    func createFAQ(questions: [String], answer: String, intent: String?, locale: ContentLocale, at: Date) async throws -> KBFAQ {
        let model = FAQModel()
        model.id = UUID()
        model.workspaceID = scope.workspaceID.uuid
        model.questions = FAQModel.encodeQuestions(questions)
        model.answer = answer
        model.intent = intent
        model.locale = locale.rawValue
        model.version = 1
        model.createdAt = at
        model.updatedAt = at
        try await model.create(on: scope.db)
        try await recordChange(["faq:" + (try model.requireID()).uuidString], at: at)
        return try model.record()
    }

    func updateFAQ(
        _ id: FAQID, questions: [String], answer: String, intent: String?, locale: ContentLocale, expectedVersion: Int,
        at: Date
    ) async throws -> KBFAQ {
        try await recordChange(["faq:" + id.description], at: at)
        let model = try await faqModel(id)
        guard model.version == expectedVersion else { throw DomainError.conflict(.staleVersion) }
        model.questions = FAQModel.encodeQuestions(questions)
        model.answer = answer
        model.intent = intent
        model.locale = locale.rawValue
        model.version += 1
        model.updatedAt = at
        try await model.update(on: scope.db)
        return try model.record()
    }

    func deleteFAQ(_ id: FAQID) async throws {
        let model = try await faqModel(id)
        try await recordChange(["faq:" + id.description], at: Date())
        try await model.delete(on: scope.db)
    }

    func vote(article id: ArticleID, visitor: String, helpful: Bool, at: Date) async throws -> (helpful: Int, unhelpful: Int) {
        let article = try await articleModel(id)
        guard article.status == PublicationStatus.published.rawValue else { throw DomainError.notFound(.article) }
        if let existing = try await scope.query(ArticleVoteModel.self).filter(\.$articleID == id.uuid)
            .filter(\.$visitor == visitor).first()
        {
            if existing.helpful != helpful {
                existing.helpful = helpful
                try await existing.update(on: scope.db)
            }
        } else {
            let vote = ArticleVoteModel()
            vote.id = UUID()
            vote.workspaceID = scope.workspaceID.uuid
            vote.articleID = id.uuid
            vote.locale = article.locale
            vote.visitor = visitor
            vote.helpful = helpful
            vote.createdAt = at
            try await createUnique(vote, on: scope.db, conflict: .busy)
        }
        // Counted from the votes in one statement, so a replaced vote moves from one count to the other and two
        // votes at once cannot overwrite each other's count.
        guard let sql = scope.db as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        try await sql.raw(
            """
            UPDATE kb_articles SET \
            helpful_count = (SELECT COUNT(*) FROM kb_article_votes WHERE article_id = \(bind: id.uuid) AND helpful = \(bind: true)), \
            unhelpful_count = (SELECT COUNT(*) FROM kb_article_votes WHERE article_id = \(bind: id.uuid) AND helpful = \(bind: false)) \
            WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: scope.workspaceID.uuid)
            """
        ).run()
        let counted = try await articleModel(id)
        return (counted.helpfulCount, counted.unhelpfulCount)
    }

    func revision() async throws -> Int {
        guard let sql = scope.db as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        let row = try await sql.raw("SELECT bot_revision FROM workspaces WHERE id = \(bind: scope.workspaceID.uuid)").first()
        guard let row else { throw DomainError.notFound(.workspace) }
        return try row.decode(column: "bot_revision", as: Int.self)
    }

    func changes(since revision: Int) async throws -> KnowledgeChanges {
        let current = try await self.revision()
        let logged = try await scope.query(IndexLogModel.self).filter(\.$revision > revision).all()
        var articleIDs: Set<UUID> = []
        var faqIDs: Set<UUID> = []
        var other: Set<String> = []
        for entry in logged.map(\.entry) {
            if entry.hasPrefix("article:"), let id = UUID(uuidString: String(entry.dropFirst(8))) {
                articleIDs.insert(id)
            } else if entry.hasPrefix("faq:"), let id = UUID(uuidString: String(entry.dropFirst(4))) {
                faqIDs.insert(id)
            } else {
                other.insert(entry)
            }
        }
        // Past this many entries one query per kind would bind too many ids: rebuild instead.
        if articleIDs.count + faqIDs.count > 2000 {
            var complete = try await everything()
            complete.removed = other.sorted()
            return complete
        }
        let articles = try await scope.query(ArticleModel.self).filter(\.$id ~~ Array(articleIDs)).all()
            .map { try $0.record() }
        let faqs = try await scope.query(FAQModel.self).filter(\.$id ~~ Array(faqIDs)).all().map { try $0.record() }
        let published = Set(articles.filter { $0.status == .published }.map(\.id.uuid))
        let present = Set(faqs.map(\.id.uuid))
        let removed =
            articleIDs.subtracting(published).map { "article:" + $0.uuidString }
            + faqIDs.subtracting(present).map { "faq:" + $0.uuidString } + other.sorted()
        return KnowledgeChanges(
            revision: current, articles: articles.filter { $0.status == .published }, faqs: faqs, removed: removed)
    }

    func everything() async throws -> KnowledgeChanges {
        let current = try await revision()
        let articles = try await scope.query(ArticleModel.self).filter(\.$status == PublicationStatus.published.rawValue)
            .all().map { try $0.record() }
        let faqs = try await scope.query(FAQModel.self).all().map { try $0.record() }
        return KnowledgeChanges(revision: current, articles: articles, faqs: faqs, removed: [], isComplete: true)
    }

    func recordChange(_ entries: [String], at: Date) async throws {
        guard let sql = scope.db as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        let row = try await sql.raw(
            "UPDATE workspaces SET bot_revision = bot_revision + 1 WHERE id = \(bind: scope.workspaceID.uuid) RETURNING bot_revision"
        ).first()
        guard let row else { throw DomainError.notFound(.workspace) }
        let revision = try row.decode(column: "bot_revision", as: Int.self)
        for entry in entries {
            let log = IndexLogModel()
            log.id = UUID()
            log.workspaceID = scope.workspaceID.uuid
            log.revision = revision
            log.entry = entry
            log.createdAt = at
            try await log.create(on: scope.db)
        }
    }
}
