import Foundation
import KefuCore
import KefuStore

/// Articles with revisions, FAQ entries and categories. Every change reaches the bot's index through the change
/// log; the runtime of this instance catches up on its next request.
public struct KnowledgeService: Sendable {
    let store: Store
    let clock: WallClock
    let runtime: BotRuntime
    static let maxBody = 100_000
    static let maxTitle = 200
    static let maxAnswer = 5000

    // MARK: articles

    func articles(_ actor: Identity, filter: ArticleFilter, offset: Int, limit: Int) async throws -> [KBArticle] {
        try await store.scoped(to: actor.workspace.id).knowledge.articles(filter, offset: offset, limit: limit)
    }

    func article(_ actor: Identity, id: ArticleID) async throws -> KBArticle {
        try await store.scoped(to: actor.workspace.id).knowledge.article(id)
    }

    func translations(_ actor: Identity, of article: KBArticle) async throws -> [KBArticle] {
        try await store.scoped(to: actor.workspace.id).knowledge.translations(of: article.translationGroup)
            .filter { $0.id != article.id }
    }

    func createArticle(_ actor: Identity, _ draft: ArticleDraft) async throws -> KBArticle {
        let draft = try Self.checked(draft)
        let article = try await store.scoped(to: actor.workspace.id).transaction { [clock] data in
            try await data.knowledge.createArticle(draft, by: actor.user.id, at: clock.now())
        }
        await runtime.changed(actor.workspace.id)
        return article
    }

    func updateArticle(_ actor: Identity, id: ArticleID, _ draft: ArticleDraft, expectedVersion: Int) async throws -> KBArticle {
        let draft = try Self.checked(draft)
        let article = try await store.scoped(to: actor.workspace.id).transaction { [clock] data in
            try await data.knowledge.updateArticle(
                id, draft, expectedVersion: expectedVersion, by: actor.user.id, at: clock.now())
        }
        await runtime.changed(actor.workspace.id)
        return article
    }

    func deleteArticle(_ actor: Identity, id: ArticleID) async throws {
        try await store.scoped(to: actor.workspace.id).transaction { data in try await data.knowledge.deleteArticle(id) }
        await runtime.changed(actor.workspace.id)
    }

    func revisions(_ actor: Identity, of id: ArticleID) async throws -> [KBRevision] {
        try await store.scoped(to: actor.workspace.id).knowledge.revisions(of: id)
    }

    /// Brings back an earlier revision's title and body as a new version; the status stays as it is now.
    func restore(_ actor: Identity, article id: ArticleID, revision revisionID: RevisionID, expectedVersion: Int) async throws
        -> KBArticle
    {
        let article = try await store.scoped(to: actor.workspace.id).transaction { [clock] data in
            let revision = try await data.knowledge.revision(revisionID)
            guard revision.articleID == id else { throw DomainError.notFound(.revision) }
            let current = try await data.knowledge.article(id)
            let draft = ArticleDraft(
                title: revision.title, body: revision.body, locale: current.locale, status: current.status,
                categoryID: current.categoryID)
            return try await data.knowledge.updateArticle(
                id, draft, expectedVersion: expectedVersion, by: actor.user.id, at: clock.now())
        }
        await runtime.changed(actor.workspace.id)
        return article
    }

    static func checked(_ draft: ArticleDraft) throws -> ArticleDraft {
        var errors = ValidationErrors()
        var draft = draft
        if let title = try? Validate.name(draft.title, field: "title", maxLength: maxTitle) {
            draft.title = title
        } else {
            errors.add("title", .length(min: 1, max: maxTitle))
        }
        if draft.body.unicodeScalars.count > maxBody {
            errors.add("body", .length(min: 0, max: maxBody))
        } else if draft.body.unicodeScalars.contains(where: {
            $0 != "\n" && $0 != "\r" && $0 != "\t" && Validate.containsControlCharacters(String($0))
        }) {
            errors.add("body", .text)
        }
        guard errors.isEmpty else { throw DomainError.invalid(errors) }
        return draft
    }

    // MARK: FAQ

    func faqs(_ actor: Identity, locale: ContentLocale?) async throws -> [KBFAQ] {
        try await store.scoped(to: actor.workspace.id).knowledge.faqs(locale: locale)
    }

    func faq(_ actor: Identity, id: FAQID) async throws -> KBFAQ {
        try await store.scoped(to: actor.workspace.id).knowledge.faq(id)
    }

    func createFAQ(_ actor: Identity, questions: [String], answer: String, intent: String?, locale: ContentLocale)
        async throws -> KBFAQ
    {
        let (questions, answer, intent) = try Self.checkedFAQ(questions, answer, intent)
        let faq = try await store.scoped(to: actor.workspace.id).transaction { [clock] data in
            try await data.knowledge.createFAQ(
                questions: questions, answer: answer, intent: intent, locale: locale, at: clock.now())
        }
        await runtime.changed(actor.workspace.id)
        return faq
    }

    func updateFAQ(
        _ actor: Identity, id: FAQID, questions: [String], answer: String, intent: String?, locale: ContentLocale,
        expectedVersion: Int
    ) async throws -> KBFAQ {
        let (questions, answer, intent) = try Self.checkedFAQ(questions, answer, intent)
        let faq = try await store.scoped(to: actor.workspace.id).transaction { [clock] data in
            try await data.knowledge.updateFAQ(
                id, questions: questions, answer: answer, intent: intent, locale: locale, expectedVersion: expectedVersion,
                at: clock.now())
        }
        await runtime.changed(actor.workspace.id)
        return faq
    }

    func deleteFAQ(_ actor: Identity, id: FAQID) async throws {
        try await store.scoped(to: actor.workspace.id).transaction { data in try await data.knowledge.deleteFAQ(id) }
        await runtime.changed(actor.workspace.id)
    }

    static func checkedFAQ(_ questions: [String], _ answer: String, _ intent: String?, prefix: String = "") throws -> (
        [String], String, String?
    ) {
        var errors = ValidationErrors()
        if questions.isEmpty || questions.count > 50 {
            errors.add("\(prefix)questions", .itemCount(min: 1, max: 50))
            throw DomainError.invalid(errors)
        }
        var cleaned: [String] = []
        var seen: Set<String> = []
        for (index, question) in questions.enumerated() {
            guard let text = try? Validate.text(question, field: "questions", max: 500) else {
                errors.add("\(prefix)questions.\(index)", .length(min: 1, max: 500))
                continue
            }
            if seen.insert(text).inserted { cleaned.append(text) }
        }
        let answerText = try? Validate.text(answer, field: "answer", max: maxAnswer)
        if answerText == nil { errors.add("\(prefix)answer", .length(min: 1, max: maxAnswer)) }
        let intent = intent?.trimmingCharacters(in: .whitespaces)
        if let intent, !intent.isEmpty, !BotService.isLabel(intent) { errors.add("\(prefix)intent", .pattern) }
        guard errors.isEmpty, let answerText else { throw DomainError.invalid(errors) }
        return (cleaned, answerText, intent?.isEmpty == false ? intent : nil)
    }

    // MARK: categories

    func categories(_ actor: Identity) async throws -> [KBCategory] {
        try await store.scoped(to: actor.workspace.id).knowledge.categories()
    }

    func createCategory(_ actor: Identity, key: String, nameEN: String, nameZH: String, position: Int) async throws
        -> KBCategory
    {
        var errors = ValidationErrors()
        if !Self.isKey(key) { errors.add("key", .pattern) }
        let en = try? Validate.name(nameEN, field: "name_en")
        let zh = try? Validate.name(nameZH, field: "name_zh")
        if en == nil { errors.add("name_en", .text) }
        if zh == nil { errors.add("name_zh", .text) }
        guard errors.isEmpty, let en, let zh else { throw DomainError.invalid(errors) }
        return try await store.scoped(to: actor.workspace.id).transaction { [clock] data in
            try await data.knowledge.createCategory(key: key, nameEN: en, nameZH: zh, position: position, at: clock.now())
        }
    }

    func deleteCategory(_ actor: Identity, id: CategoryID) async throws {
        try await store.scoped(to: actor.workspace.id).transaction { data in try await data.knowledge.deleteCategory(id) }
    }

    static func isKey(_ key: String) -> Bool {
        (1...64).contains(key.count)
            && key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}
