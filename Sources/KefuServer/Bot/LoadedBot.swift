import Foundation
import KefuBot
import KefuCore

/// One workspace's bot as it answers right now: the active model, the retrieval index over the published articles
/// and the FAQ, and the flows. A value: requests read a snapshot while the runtime prepares the next one.
struct LoadedBot: Sendable {
    struct Entry: Sendable {
        var locale: ContentLocale
        /// The article id for articles (their portal page), nil for FAQ entries.
        var article: ArticleID?
    }

    var revision: Int
    var knowledge = KnowledgeBase()
    var entries: [String: Entry] = [:]
    var model: BotModel?
    var modelVersion: Int?
    /// Intent label → flow id, for intents that start a flow.
    var intentFlows: [String: String] = [:]
    var flows: [String: Flow] = [:]

    /// The engine for this snapshot, or nil before the first model is trained.
    var engine: BotEngine? {
        model.map { BotEngine(model: $0, knowledge: knowledge, flows: intentFlows.filter { flows[$0.value] != nil }) }
    }

    static let renderer = MarkdownRenderer()

    mutating func apply(_ changes: KnowledgeChanges) {
        if changes.isComplete {
            knowledge = KnowledgeBase()
            entries = [:]
        }
        for id in changes.removed where id.hasPrefix("article:") || id.hasPrefix("faq:") {
            knowledge.remove(id: id)
            entries[id] = nil
        }
        for article in changes.articles {
            let key = "article:" + article.id.description
            knowledge.upsert(
                Article(id: article.id.description, title: article.title, body: Self.renderer.plainText(article.body)))
            entries[key] = Entry(locale: article.locale, article: article.id)
        }
        for faq in changes.faqs {
            let key = "faq:" + faq.id.description
            knowledge.upsert(FAQEntry(id: faq.id.description, questions: faq.questions, answer: faq.answer, intent: faq.intent))
            entries[key] = Entry(locale: faq.locale, article: nil)
        }
        revision = changes.revision
    }
}
