import Foundation

/// The language of a piece of content: the same two as the interface.
public typealias ContentLocale = UILocale

/// Whether customers can read an article.
public enum PublicationStatus: String, Codable, Sendable, CaseIterable {
    case draft, published
}

/// A group of articles on the portal, named in both languages.
public struct KBCategory: Sendable, Codable, Equatable {
    public var id: CategoryID
    public var workspaceID: WorkspaceID
    public var key: String
    public var nameEN: String
    public var nameZH: String
    public var position: Int

    public init(id: CategoryID, workspaceID: WorkspaceID, key: String, nameEN: String, nameZH: String, position: Int) {
        self.id = id
        self.workspaceID = workspaceID
        self.key = key
        self.nameEN = nameEN
        self.nameZH = nameZH
        self.position = position
    }

    public func name(_ locale: ContentLocale) -> String { locale == .zhCN ? nameZH : nameEN }
}

/// A knowledge-base article in one language. Translations of one article share a `translationGroup`.
public struct KBArticle: Sendable, Codable, Equatable {
    public var id: ArticleID
    public var workspaceID: WorkspaceID
    public var categoryID: CategoryID?
    public var translationGroup: UUID
    public var locale: ContentLocale
    public var title: String
    /// Markdown as the author wrote it; rendered and sanitised on the way out.
    public var body: String
    public var status: PublicationStatus
    /// Increases with every edit; an edit naming an older version is refused.
    public var version: Int
    public var helpfulCount: Int
    public var unhelpfulCount: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var publishedAt: Date?

    public init(
        id: ArticleID, workspaceID: WorkspaceID, categoryID: CategoryID?, translationGroup: UUID, locale: ContentLocale,
        title: String, body: String, status: PublicationStatus, version: Int, helpfulCount: Int = 0,
        unhelpfulCount: Int = 0, createdAt: Date, updatedAt: Date, publishedAt: Date?
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.categoryID = categoryID
        self.translationGroup = translationGroup
        self.locale = locale
        self.title = title
        self.body = body
        self.status = status
        self.version = version
        self.helpfulCount = helpfulCount
        self.unhelpfulCount = unhelpfulCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.publishedAt = publishedAt
    }
}

/// One saved state of an article; every edit keeps the state before it.
public struct KBRevision: Sendable, Codable, Equatable {
    public var id: RevisionID
    public var articleID: ArticleID
    public var version: Int
    public var title: String
    public var body: String
    public var status: PublicationStatus
    public var editedBy: UserID?
    public var createdAt: Date

    public init(
        id: RevisionID, articleID: ArticleID, version: Int, title: String, body: String, status: PublicationStatus,
        editedBy: UserID?, createdAt: Date
    ) {
        self.id = id
        self.articleID = articleID
        self.version = version
        self.title = title
        self.body = body
        self.status = status
        self.editedBy = editedBy
        self.createdAt = createdAt
    }
}

/// Several ways customers ask one question, and its answer.
public struct KBFAQ: Sendable, Codable, Equatable {
    public var id: FAQID
    public var workspaceID: WorkspaceID
    public var questions: [String]
    public var answer: String
    public var intent: String?
    public var locale: ContentLocale
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: FAQID, workspaceID: WorkspaceID, questions: [String], answer: String, intent: String?,
        locale: ContentLocale, version: Int, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.questions = questions
        self.answer = answer
        self.intent = intent
        self.locale = locale
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What changed in the knowledge base since a revision: the entries to put in the index and the ones to take out.
public struct KnowledgeChanges: Sendable {
    public var revision: Int
    public var articles: [KBArticle]
    public var faqs: [KBFAQ]
    /// Entries that left the index (deleted, or an article back to draft), as "article:<id>" / "faq:<id>".
    public var removed: [String]
    /// Everything published, not a difference: the index is rebuilt from these (after a large import, say).
    public var isComplete: Bool

    public init(revision: Int, articles: [KBArticle], faqs: [KBFAQ], removed: [String], isComplete: Bool = false) {
        self.revision = revision
        self.articles = articles
        self.faqs = faqs
        self.removed = removed
        self.isComplete = isComplete
    }
}

/// How the public help center looks and whom it offers when an article does not help.
public struct PortalSettings: Sendable, Codable, Equatable {
    /// `#rrggbb`.
    public var brandColor: String
    public var supportEmail: String?
    public var supportPhone: String?

    public init(brandColor: String, supportEmail: String?, supportPhone: String?) {
        self.brandColor = brandColor
        self.supportEmail = supportEmail
        self.supportPhone = supportPhone
    }
}
