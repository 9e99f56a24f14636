import Foundation
import KefuBot
import KefuCore
import KefuStore

/// The public help center of a workspace: published articles by category, search through the bot's retrieval
/// index, and "was this helpful?" votes. Nothing here needs a sign-in, and nothing unpublished is ever returned.
public struct PortalService: Sendable {
    let store: Store
    let clock: WallClock
    let runtime: BotRuntime
    let secret: SecretKey
    static let maxQueryLength = 200

    struct SearchResult: Sendable {
        var article: ArticleID
        var title: String
        /// Plain text with the matched words between «».
        var snippet: String
        var score: Double
    }

    func workspace(slug: String) async throws -> Workspace {
        guard let workspace = try await store.unscoped.workspaces.workspace(slug: slug) else {
            throw DomainError.notFound(.workspace)
        }
        return workspace
    }

    /// Ranked published articles in `locale` for a query. Empty, binary or oversized queries give a defined answer
    /// fast: nothing for no words, and only the first `maxQueryLength` characters are searched.
    func search(_ workspace: Workspace, query: String, locale: ContentLocale, limit: Int = 10) async throws -> [SearchResult] {
        let cleaned = String(
            String.UnicodeScalarView(
                query.unicodeScalars.prefix(Self.maxQueryLength * 2).map {
                    $0.properties.generalCategory == .control || $0 == "\u{FFFD}" ? " " : $0
                })
        ).prefix(Self.maxQueryLength)
        guard cleaned.contains(where: { $0.isLetter || $0.isNumber }) else { return [] }
        let bot = try await runtime.bot(for: workspace.id)
        return bot.knowledge.search(String(cleaned), limit: 60).compactMap { hit in
            guard let entry = bot.entries["article:" + hit.id] ?? bot.entries[hit.id], entry.locale == locale,
                let article = entry.article
            else { return nil }
            return SearchResult(article: article, title: hit.title, snippet: hit.snippet, score: hit.score)
        }.prefix(limit).map { $0 }
    }

    func settings(_ workspace: Workspace) async throws -> PortalSettings {
        try await store.scoped(to: workspace.id).profile.portal()
    }

    func categories(_ workspace: Workspace) async throws -> [KBCategory] {
        try await store.scoped(to: workspace.id).knowledge.categories()
    }

    func articles(_ workspace: Workspace, locale: ContentLocale, category: CategoryID? = nil, limit: Int = 100) async throws
        -> [KBArticle]
    {
        try await store.scoped(to: workspace.id).knowledge.articles(
            ArticleFilter(status: .published, locale: locale, categoryID: category), offset: 0, limit: limit)
    }

    /// A published article with its published translations.
    func article(_ workspace: Workspace, id: ArticleID) async throws -> (KBArticle, [KBArticle]) {
        let data = store.scoped(to: workspace.id)
        let article = try await data.knowledge.article(id)
        guard article.status == .published else { throw DomainError.notFound(.article) }
        let translations = try await data.knowledge.translations(of: article.translationGroup)
            .filter { $0.id != id && $0.status == .published }
        return (article, translations)
    }

    /// Articles near this one: the best search hits for its title, in its language.
    func related(_ workspace: Workspace, to article: KBArticle) async throws -> [SearchResult] {
        try await search(workspace, query: article.title, locale: article.locale, limit: 6).filter { $0.article != article.id }
            .prefix(4).map { $0 }
    }

    /// One vote per visitor per article: the visitor's cookie is stored only as a keyed hash.
    func vote(_ workspace: Workspace, article: ArticleID, visitor: String, helpful: Bool) async throws -> (Int, Int) {
        let hashed = secret.sign("portal-visitor:" + visitor)
        return try await store.scoped(to: workspace.id).transaction { [clock] data in
            try await data.knowledge.vote(article: article, visitor: hashed, helpful: helpful, at: clock.now())
        }
    }
}
