import Foundation
import Hummingbird
import KefuBot
import KefuCore
import KefuStore

/// The whole knowledge base as one JSON document, and the FAQ as CSV: export, and import that checks everything
/// first and changes nothing unless all of it is valid. Errors name where they are: `articles[3].title` in JSON,
/// `line 7.answer` in CSV.
struct KnowledgeTransfer: Sendable {
    let store: Store
    let clock: WallClock
    let runtime: BotRuntime

    struct Document: Codable, Sendable {
        struct Category: Codable, Sendable {
            enum CodingKeys: String, CodingKey {
                case key, position
                case nameEN = "name_en"
                case nameZH = "name_zh"
            }

            var key: String
            var nameEN: String
            var nameZH: String
            var position: Int?
        }

        struct Article: Codable, Sendable {
            enum CodingKeys: String, CodingKey {
                case locale, title, body, status, category
                case translationGroup = "translation_group"
            }

            /// Articles with the same group are translations of each other.
            var translationGroup: String?
            var locale: ContentLocale
            var title: String
            var body: String
            var status: PublicationStatus?
            /// A category key, of this document or already in the workspace.
            var category: String?
        }

        struct FAQ: Codable, Sendable {
            var questions: [String]
            var answer: String
            var intent: String?
            var locale: ContentLocale
        }

        var format: String?
        var categories: [Category]?
        var articles: [Article]?
        var faqs: [FAQ]?
    }

    struct Imported: Codable, Sendable {
        var categories = 0
        var articles = 0
        var faqs = 0
    }

    static let format = "kefu-kb-1"

    func export(_ actor: Identity) async throws -> Document {
        let data = store.scoped(to: actor.workspace.id)
        let categories = try await data.knowledge.categories()
        let keys = Dictionary(categories.map { ($0.id, $0.key) }, uniquingKeysWith: { a, _ in a })
        var articles: [KBArticle] = []
        while true {
            let page = try await data.knowledge.articles(ArticleFilter(), offset: articles.count, limit: 500)
            articles += page
            if page.count < 500 { break }
        }
        return Document(
            format: Self.format,
            categories: categories.map { .init(key: $0.key, nameEN: $0.nameEN, nameZH: $0.nameZH, position: $0.position) },
            articles: articles.sorted { ($0.createdAt, $0.id.description) < ($1.createdAt, $1.id.description) }.map {
                .init(
                    translationGroup: $0.translationGroup.uuidString, locale: $0.locale, title: $0.title, body: $0.body,
                    status: $0.status, category: $0.categoryID.flatMap { keys[$0] })
            },
            faqs: try await data.knowledge.faqs(locale: nil).map {
                .init(questions: $0.questions, answer: $0.answer, intent: $0.intent, locale: $0.locale)
            })
    }

    func importDocument(_ actor: Identity, _ document: Document) async throws -> Imported {
        var errors = ValidationErrors()
        if let format = document.format, format != Self.format { errors.add("format", .oneOf([Self.format])) }
        let existing = Set(try await store.scoped(to: actor.workspace.id).knowledge.categories().map(\.key))
        var fileKeys: Set<String> = []
        for (index, category) in (document.categories ?? []).enumerated() {
            let at = "categories.\(index)"
            if !KnowledgeService.isKey(category.key) { errors.add("\(at).key", .pattern) }
            if !fileKeys.insert(category.key).inserted { errors.add("\(at).key", .duplicate) }
            if (try? Validate.name(category.nameEN, field: "")) == nil { errors.add("\(at).name_en", .text) }
            if (try? Validate.name(category.nameZH, field: "")) == nil { errors.add("\(at).name_zh", .text) }
        }
        var groups: Set<String> = []
        var articles: [(draft: ArticleDraft, group: String?, category: String?)] = []
        for (index, article) in (document.articles ?? []).enumerated() {
            let at = "articles.\(index)"
            if let category = article.category, !fileKeys.contains(category), !existing.contains(category) {
                errors.add("\(at).category", .unknownReference)
            }
            if let group = article.translationGroup, !groups.insert("\(group)|\(article.locale.rawValue)").inserted {
                errors.add("\(at).locale", .duplicate)
            }
            do {
                let draft = try KnowledgeService.checked(
                    ArticleDraft(
                        title: article.title, body: article.body, locale: article.locale, status: article.status ?? .draft))
                articles.append((draft, article.translationGroup, article.category))
            } catch DomainError.invalid(let issues) {
                for (field, issue) in issues.issues { errors.add("\(at).\(field)", issue) }
            }
        }
        var faqs: [(questions: [String], answer: String, intent: String?, locale: ContentLocale)] = []
        for (index, faq) in (document.faqs ?? []).enumerated() {
            do {
                let (questions, answer, intent) = try KnowledgeService.checkedFAQ(
                    faq.questions, faq.answer, faq.intent, prefix: "faqs.\(index).")
                faqs.append((questions, answer, intent, faq.locale))
            } catch DomainError.invalid(let issues) {
                for (field, issue) in issues.issues { errors.add(field, issue) }
            }
        }
        guard errors.isEmpty else { throw DomainError.invalid(errors) }
        let categories = document.categories ?? []
        let imported = try await store.scoped(to: actor.workspace.id).transaction { [clock, articles, faqs] data in
            var result = Imported()
            let now = clock.now()
            var ids = Dictionary(try await data.knowledge.categories().map { ($0.key, $0.id) }, uniquingKeysWith: { a, _ in a })
            for (index, category) in categories.enumerated() where ids[category.key] == nil {
                ids[category.key] =
                    try await data.knowledge.createCategory(
                        key: category.key, nameEN: category.nameEN.trimmingCharacters(in: .whitespaces),
                        nameZH: category.nameZH.trimmingCharacters(in: .whitespaces), position: category.position ?? index,
                        at: now
                    ).id
                result.categories += 1
            }
            var firstOfGroup: [String: ArticleID] = [:]
            for (draft, group, category) in articles {
                var draft = draft
                draft.categoryID = category.flatMap { ids[$0] }
                draft.translationOf = group.flatMap { firstOfGroup[$0] }
                let created = try await data.knowledge.createArticle(draft, by: actor.user.id, at: now)
                if let group, firstOfGroup[group] == nil { firstOfGroup[group] = created.id }
                result.articles += 1
            }
            for faq in faqs {
                _ = try await data.knowledge.createFAQ(
                    questions: faq.questions, answer: faq.answer, intent: faq.intent, locale: faq.locale, at: now)
                result.faqs += 1
            }
            return result
        }
        await runtime.changed(actor.workspace.id)
        return imported
    }

    // MARK: FAQ as CSV

    func exportFAQ(_ actor: Identity) async throws -> String {
        var out = CSVTable.line(FAQCSV.header)
        for faq in try await store.scoped(to: actor.workspace.id).knowledge.faqs(locale: nil) {
            out += CSVTable.line([faq.locale.rawValue, faq.intent ?? "", faq.questions.joined(separator: " | "), faq.answer])
        }
        return out
    }

    func importFAQ(_ actor: Identity, csv: String) async throws -> Imported {
        let records: [CSVTable.Record]
        do {
            records = try CSVTable.parse(csv, required: FAQCSV.header)
        } catch BotError.malformedCSV(let line, _) {
            throw DomainError.invalid(ValidationErrors("line \(line)", .pattern))
        }
        var errors = ValidationErrors()
        var faqs: [(questions: [String], answer: String, intent: String?, locale: ContentLocale)] = []
        for record in records {
            guard let locale = ContentLocale(rawValue: record["locale"]) else {
                errors.add("line \(record.line).locale", .oneOf(ContentLocale.allCases.map(\.rawValue)))
                continue
            }
            do {
                let (questions, answer, intent) = try KnowledgeService.checkedFAQ(
                    FAQCSV.splitQuestions(record["questions"]), record["answer"], record["intent"],
                    prefix: "line \(record.line).")
                faqs.append((questions, answer, intent, locale))
            } catch DomainError.invalid(let issues) {
                for (field, issue) in issues.issues { errors.add(field, issue) }
            }
        }
        guard errors.isEmpty else { throw DomainError.invalid(errors) }
        let imported = try await store.scoped(to: actor.workspace.id).transaction { [clock, faqs] data in
            for faq in faqs {
                _ = try await data.knowledge.createFAQ(
                    questions: faq.questions, answer: faq.answer, intent: faq.intent, locale: faq.locale, at: clock.now())
            }
            return Imported(faqs: faqs.count)
        }
        await runtime.changed(actor.workspace.id)
        return imported
    }
}

extension KnowledgeTransfer.Document: ResponseEncodable {}
extension KnowledgeTransfer.Imported: ResponseEncodable {}
