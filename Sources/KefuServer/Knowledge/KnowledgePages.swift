import Foundation
import Hummingbird
import KefuCore
import KefuStore

/// The knowledge-base editor: articles with Markdown preview, revisions and publishing; FAQ entries.
struct KnowledgePages {
    let knowledge: KnowledgeService
    let renderer: PageRenderer

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.knowledgeBase, .viewKnowledge, use: list)
        routes.on(.get, WebPath.kbArticleNew, .manageKnowledge, use: newArticle)
        routes.on(.post, WebPath.kbArticleNew, .manageKnowledge, use: create)
        routes.on(.get, WebPath.kbArticleEdit, .viewKnowledge, use: edit)
        routes.on(.post, WebPath.kbArticleEdit, .manageKnowledge, use: save)
        routes.on(.post, WebPath.kbArticleRestoreForm, .manageKnowledge, use: restore)
        routes.on(.get, WebPath.kbFAQs, .viewKnowledge, use: faqs)
        routes.on(.post, WebPath.kbFAQs, .manageKnowledge, use: createFAQ)
        routes.on(.get, WebPath.kbFAQEdit, .viewKnowledge, use: editFAQ)
        routes.on(.post, WebPath.kbFAQEdit, .manageKnowledge, use: saveFAQ)
        routes.on(.post, WebPath.kbFAQDelete, .manageKnowledge, use: deleteFAQ)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let articles = try await knowledge.articles(context.identity, filter: ArticleFilter(), offset: 0, limit: 200)
        let rows = articles.map { article in
            PageModel.KBList.Row(
                title: article.title, locale: article.locale.rawValue,
                status: renderer.text("kb", article.status.rawValue, page.locale), published: article.status == .published,
                updated: ShellPage.display(article.updatedAt), edit: WebPath.kbArticleEdit(article.id), view: nil)
        }
        return page.render(
            .kbList,
            PageModel.KBList(
                articles: rows, portal: WebPath.portal(context.identity.workspace.slug),
                canEdit: context.identity.can(.manageKnowledge)), title: renderer.text("kb", "title", page.locale), nav: "kb",
            flashKey: ShellPage.flash(request))
    }

    private func editor(
        _ request: Request, _ context: AuthenticatedContext, article: KBArticle?, draft: ArticleDraft?, error: String?
    ) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let identity = context.identity
        let categories = try await knowledge.categories(identity)
        let locale = draft?.locale ?? article?.locale ?? page.locale
        let status = draft?.status ?? article?.status ?? .draft
        let category = draft?.categoryID ?? article?.categoryID
        let body = draft?.body ?? article?.body ?? ""
        var revisions: [PageModel.ArticleEditor.Revision] = []
        var translations: [PageModel.Option] = []
        if let article {
            revisions = try await knowledge.revisions(identity, of: article.id).map { revision in
                .init(
                    version: revision.version, title: revision.title, when: ShellPage.display(revision.createdAt),
                    restore: WebPath.kbArticleRestore(article.id, revision.id), current: revision.version == article.version)
            }
            translations = try await knowledge.translations(identity, of: article).map {
                .init(value: WebPath.kbArticleEdit($0.id), label: "\($0.locale.rawValue): \($0.title)", selected: false)
            }
        } else {
            translations = try await knowledge.articles(identity, filter: ArticleFilter(), offset: 0, limit: 200).map {
                .init(value: $0.id.description, label: "\($0.locale.rawValue): \($0.title)", selected: false)
            }
        }
        var content = PageModel.ArticleEditor(
            isNew: article == nil, action: article.map { WebPath.kbArticleEdit($0.id) } ?? WebPath.kbArticleNew,
            id: article?.id.description ?? "", title: draft?.title ?? article?.title ?? "", body: body,
            html: MarkdownRenderer().html(body), version: article?.version ?? 0, articleVersion: article?.version ?? 0,
            locales: PageModel.Option.contentLocales(selected: locale),
            statuses: PublicationStatus.allCases.map {
                .init(value: $0.rawValue, label: renderer.text("kb", $0.rawValue, page.locale), selected: $0 == status)
            },
            categories: categories.map {
                .init(value: $0.id.description, label: $0.name(page.locale), selected: $0.id == category)
            }, revisions: revisions, translations: translations,
            portalURL: article.flatMap {
                $0.status == .published ? WebPath.portalArticle(identity.workspace.slug, $0.id) : nil
            }, error: error, canEdit: identity.can(.manageKnowledge))
        content.hasTranslations = !translations.isEmpty
        return page.render(
            .kbEditor, content, title: renderer.text("kb", "title", page.locale), nav: "kb", flashKey: ShellPage.flash(request))
    }

    @Sendable func newArticle(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await editor(request, context, article: nil, draft: nil, error: nil)
    }

    private func draft(_ form: FormData) -> ArticleDraft {
        ArticleDraft(
            title: form["title"] ?? "", body: form["body"] ?? "", locale: ContentLocale(rawValue: form["locale"] ?? "") ?? .en,
            status: PublicationStatus(rawValue: form["status"] ?? "") ?? .draft,
            categoryID: form["category_id"].flatMap { CategoryID($0) },
            translationOf: form["translation_of"].flatMap { ArticleID($0) })
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        let draft = draft(form)
        do {
            let article = try await knowledge.createArticle(context.identity, draft)
            return .redirect(to: WebPath.kbArticleEdit(article.id) + "?flash=article_saved")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await editor(request, context, article: nil, draft: draft, error: text)
        }
    }

    @Sendable func edit(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("articleID", as: ArticleID.self)
        let article = try await knowledge.article(context.identity, id: id)
        return try await editor(request, context, article: article, draft: nil, error: nil)
    }

    @Sendable func save(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("articleID", as: ArticleID.self)
        let form = try await FormData.read(request, context)
        let draft = draft(form)
        do {
            let article = try await knowledge.updateArticle(
                context.identity, id: id, draft,
                expectedVersion: NumberInput.int(form["version"], in: NumberInput.articleVersion) ?? 0)
            return .redirect(to: WebPath.kbArticleEdit(article.id) + "?flash=article_saved")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            let current = try await knowledge.article(context.identity, id: id)
            return try await editor(request, context, article: current, draft: draft, error: text)
        }
    }

    @Sendable func restore(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("articleID", as: ArticleID.self)
        let revision = try context.parameters.require("revisionID", as: RevisionID.self)
        let form = try await FormData.read(request, context)
        do {
            _ = try await knowledge.restore(
                context.identity, article: id, revision: revision,
                expectedVersion: NumberInput.int(form["version"], in: NumberInput.articleVersion) ?? 0)
            return .redirect(to: WebPath.kbArticleEdit(id) + "?flash=article_saved")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            let current = try await knowledge.article(context.identity, id: id)
            return try await editor(request, context, article: current, draft: nil, error: text)
        }
    }

    // MARK: FAQ

    private func renderFAQs(_ request: Request, _ context: AuthenticatedContext, error: String?) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let rows = try await knowledge.faqs(context.identity, locale: nil).map { faq in
            PageModel.FAQList.Row(
                question: faq.questions.first ?? "", more: max(0, faq.questions.count - 1), answer: faq.answer,
                locale: faq.locale.rawValue, intent: faq.intent ?? "", edit: WebPath.kbFAQEdit(faq.id))
        }
        return page.render(
            .kbFAQs,
            PageModel.FAQList(
                faqs: rows, locales: PageModel.Option.contentLocales(selected: page.locale),
                canEdit: context.identity.can(.manageKnowledge), error: error),
            title: renderer.text("kb", "faqs", page.locale), nav: "kb", flashKey: ShellPage.flash(request))
    }

    @Sendable func faqs(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await renderFAQs(request, context, error: nil)
    }

    private static func lines(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    @Sendable func createFAQ(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        do {
            _ = try await knowledge.createFAQ(
                context.identity, questions: Self.lines(form["questions"]), answer: form["answer"] ?? "",
                intent: form["intent"], locale: ContentLocale(rawValue: form["locale"] ?? "") ?? .en)
            return .redirect(to: WebPath.kbFAQs + "?flash=faq_saved")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await renderFAQs(request, context, error: text)
        }
    }

    private func renderFAQ(_ request: Request, _ context: AuthenticatedContext, _ faq: KBFAQ, error: String?) -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        return page.render(
            .kbFAQ,
            PageModel.FAQEditor(
                action: WebPath.kbFAQEdit(faq.id), questions: faq.questions.joined(separator: "\n"), answer: faq.answer,
                intent: faq.intent ?? "", version: faq.version, locales: PageModel.Option.contentLocales(selected: faq.locale),
                deleteAction: WebPath.kbFAQDelete(faq.id), error: error),
            title: renderer.text("kb", "faqs", page.locale), nav: "kb", flashKey: ShellPage.flash(request))
    }

    @Sendable func editFAQ(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("faqID", as: FAQID.self)
        return renderFAQ(request, context, try await knowledge.faq(context.identity, id: id), error: nil)
    }

    @Sendable func saveFAQ(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("faqID", as: FAQID.self)
        let form = try await FormData.read(request, context)
        do {
            _ = try await knowledge.updateFAQ(
                context.identity, id: id, questions: Self.lines(form["questions"]), answer: form["answer"] ?? "",
                intent: form["intent"], locale: ContentLocale(rawValue: form["locale"] ?? "") ?? .en,
                expectedVersion: NumberInput.int(form["version"], in: NumberInput.articleVersion) ?? 0)
            return .redirect(to: WebPath.kbFAQs + "?flash=faq_saved")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return renderFAQ(request, context, try await knowledge.faq(context.identity, id: id), error: text)
        }
    }

    @Sendable func deleteFAQ(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("faqID", as: FAQID.self)
        try await knowledge.deleteFAQ(context.identity, id: id)
        return .redirect(to: WebPath.kbFAQs + "?flash=faq_deleted")
    }
}
