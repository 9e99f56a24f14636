import Foundation
import HTTPTypes
import Hummingbird
import KefuCore
import KefuStore
import NIOCore

/// Articles (with revisions and optimistic concurrency), categories and FAQ entries.
struct KnowledgeAPIController {
    let knowledge: KnowledgeService
    let transfer: KnowledgeTransfer
    let links: PublicLinks

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.kbArticles, .viewKnowledge, use: list)
        routes.on(.post, APIPath.kbArticles, .manageKnowledge, use: create)
        routes.on(.get, APIPath.kbArticle, .viewKnowledge, use: get)
        routes.on(.patch, APIPath.kbArticle, .manageKnowledge, use: update)
        routes.on(.delete, APIPath.kbArticle, .manageKnowledge, use: delete)
        routes.on(.get, APIPath.kbArticleRevisions, .viewKnowledge, use: revisions)
        routes.on(.post, APIPath.kbArticleRestore, .manageKnowledge, use: restore)
        routes.on(.post, APIPath.kbPreview, .viewKnowledge, use: preview)
        routes.on(.get, APIPath.kbCategories, .viewKnowledge, use: categories)
        routes.on(.post, APIPath.kbCategories, .manageKnowledge, use: createCategory)
        routes.on(.delete, APIPath.kbCategory, .manageKnowledge, use: deleteCategory)
        routes.on(.get, APIPath.kbFAQs, .viewKnowledge, use: faqs)
        routes.on(.post, APIPath.kbFAQs, .manageKnowledge, use: createFAQ)
        routes.on(.get, APIPath.kbFAQ, .viewKnowledge, use: faq)
        routes.on(.patch, APIPath.kbFAQ, .manageKnowledge, use: updateFAQ)
        routes.on(.delete, APIPath.kbFAQ, .manageKnowledge, use: deleteFAQ)
        routes.on(.get, APIPath.kbExport, .manageKnowledge, use: exportAll)
        routes.on(.post, APIPath.kbImport, .manageKnowledge, use: importAll)
        routes.on(.get, APIPath.kbExportFAQs, .manageKnowledge, use: exportFAQs)
        routes.on(.post, APIPath.kbImportFAQs, .manageKnowledge, use: importFAQs)
    }

    @Sendable func exportAll(_ request: Request, context: AuthenticatedContext) async throws -> KnowledgeTransfer.Document {
        try await transfer.export(context.identity)
    }

    @Sendable func importAll(_ request: Request, context: AuthenticatedContext) async throws
        -> EditedResponse<KnowledgeTransfer.Imported>
    {
        let document = try await request.decodeJSON(KnowledgeTransfer.Document.self, context: context)
        return EditedResponse(status: .created, response: try await transfer.importDocument(context.identity, document))
    }

    @Sendable func exportFAQs(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let csv = try await transfer.exportFAQ(context.identity)
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"faqs.csv\""],
            body: .init(byteBuffer: ByteBuffer(string: csv)))
    }

    struct CSVBody: Decodable {
        var csv: String
    }

    @Sendable func importFAQs(_ request: Request, context: AuthenticatedContext) async throws
        -> EditedResponse<KnowledgeTransfer.Imported>
    {
        let body = try await request.decodeJSON(CSVBody.self, context: context)
        return EditedResponse(status: .created, response: try await transfer.importFAQ(context.identity, csv: body.csv))
    }

    private func dto(_ article: KBArticle, _ context: AuthenticatedContext, _ request: Request) -> DTO.Article {
        DTO.Article(
            article,
            url: links.url(path: WebPath.portalArticle(context.identity.workspace.slug, article.id), request: request))
    }

    private func tagged(_ article: DTO.Article, status: HTTPResponse.Status = .ok) -> EditedResponse<DTO.Article> {
        EditedResponse(status: status, headers: [.eTag: article.etag], response: article)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Page<DTO.Article> {
        let page = try PageQuery(request)
        let query = request.uri.queryParameters
        let filter = ArticleFilter(
            status: query["status"].flatMap { PublicationStatus(rawValue: String($0)) },
            locale: query["locale"].flatMap { ContentLocale(rawValue: String($0)) },
            categoryID: query["category_id"].flatMap { CategoryID(String($0)) })
        let offset =
            try page.cursor.map { cursor in
                guard let value = NumberInput.int(cursor, in: 0...999_999_999) else {
                    throw APIError.validation(ValidationErrors("cursor", .cursor))
                }
                return value
            } ?? 0
        let articles = try await knowledge.articles(context.identity, filter: filter, offset: offset, limit: page.limit + 1)
        return Page(
            data: articles.prefix(page.limit).map { dto($0, context, request) },
            nextCursor: articles.count > page.limit ? String(offset + page.limit) : nil)
    }

    struct NewArticle: Decodable {
        enum CodingKeys: String, CodingKey {
            case title, body, locale, status
            case categoryID = "category_id"
            case translationOf = "translation_of"
        }

        var title: String
        var body: String
        var locale: ContentLocale
        var status: PublicationStatus?
        var categoryID: CategoryID?
        var translationOf: ArticleID?
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DTO.Article> {
        let body = try await request.decodeJSON(NewArticle.self, context: context)
        let article = try await knowledge.createArticle(
            context.identity,
            ArticleDraft(
                title: body.title, body: body.body, locale: body.locale, status: body.status ?? .draft,
                categoryID: body.categoryID, translationOf: body.translationOf))
        return tagged(dto(article, context, request), status: .created)
    }

    @Sendable func get(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DTO.Article> {
        let id = try context.parameters.require("articleID", as: ArticleID.self)
        return tagged(dto(try await knowledge.article(context.identity, id: id), context, request))
    }

    struct ArticlePatch: Decodable {
        enum CodingKeys: String, CodingKey {
            case title, body, locale, status, version
            case categoryID = "category_id"
        }

        var title: String?
        var body: String?
        var locale: ContentLocale?
        var status: PublicationStatus?
        var categoryID: CategoryID??
        var version: Int?

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            title = try c.decodeIfPresent(String.self, forKey: .title)
            body = try c.decodeIfPresent(String.self, forKey: .body)
            locale = try c.decodeIfPresent(ContentLocale.self, forKey: .locale)
            status = try c.decodeIfPresent(PublicationStatus.self, forKey: .status)
            version = try c.decodeIfPresent(Int.self, forKey: .version)
            // Present and null clears the category; absent keeps it.
            if c.contains(.categoryID) { categoryID = .some(try c.decodeIfPresent(CategoryID.self, forKey: .categoryID)) }
        }
    }

    /// The version the client edited: `version` in the body, else `If-Match: "<version>"`.
    static func expectedVersion(_ body: Int?, _ request: Request) throws -> Int {
        if let body { return body }
        if let tag = request.headers[.ifMatch], let version = Int(tag.trimmingCharacters(in: CharacterSet(charactersIn: "W/\" ")))
        {
            return version
        }
        throw APIError.validation(ValidationErrors("version", .required))
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DTO.Article> {
        let id = try context.parameters.require("articleID", as: ArticleID.self)
        let patch = try await request.decodeJSON(ArticlePatch.self, context: context)
        let expected = try Self.expectedVersion(patch.version, request)
        let current = try await knowledge.article(context.identity, id: id)
        let draft = ArticleDraft(
            title: patch.title ?? current.title, body: patch.body ?? current.body, locale: patch.locale ?? current.locale,
            status: patch.status ?? current.status, categoryID: patch.categoryID ?? current.categoryID)
        let article = try await knowledge.updateArticle(context.identity, id: id, draft, expectedVersion: expected)
        return tagged(dto(article, context, request))
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("articleID", as: ArticleID.self)
        try await knowledge.deleteArticle(context.identity, id: id)
        return Response(status: .noContent)
    }

    @Sendable func revisions(_ request: Request, context: AuthenticatedContext) async throws -> [DTO.Revision] {
        let id = try context.parameters.require("articleID", as: ArticleID.self)
        return try await knowledge.revisions(context.identity, of: id).map(DTO.Revision.init)
    }

    struct Restore: Decodable {
        var version: Int?
    }

    @Sendable func restore(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DTO.Article> {
        let id = try context.parameters.require("articleID", as: ArticleID.self)
        let revision = try context.parameters.require("revisionID", as: RevisionID.self)
        let body = try await request.decodeJSON(Restore.self, context: context)
        let article = try await knowledge.restore(
            context.identity, article: id, revision: revision, expectedVersion: try Self.expectedVersion(body.version, request))
        return tagged(dto(article, context, request))
    }

    struct PreviewBody: Decodable {
        var body: String
    }

    struct Preview: Encodable, ResponseEncodable {
        var html: String
    }

    @Sendable func preview(_ request: Request, context: AuthenticatedContext) async throws -> Preview {
        let body = try await request.decodeJSON(PreviewBody.self, context: context)
        guard body.body.count <= KnowledgeService.maxBody else {
            throw APIError.validation(ValidationErrors("body", .length(min: 0, max: KnowledgeService.maxBody)))
        }
        return Preview(html: MarkdownRenderer().html(body.body))
    }

    @Sendable func categories(_ request: Request, context: AuthenticatedContext) async throws -> [DTO.Category] {
        try await knowledge.categories(context.identity).map(DTO.Category.init)
    }

    struct NewCategory: Decodable {
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

    @Sendable func createCategory(_ request: Request, context: AuthenticatedContext) async throws
        -> EditedResponse<DTO.Category>
    {
        let body = try await request.decodeJSON(NewCategory.self, context: context)
        let category = try await knowledge.createCategory(
            context.identity, key: body.key, nameEN: body.nameEN, nameZH: body.nameZH, position: body.position ?? 0)
        return EditedResponse(status: .created, response: .init(category))
    }

    @Sendable func deleteCategory(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("categoryID", as: CategoryID.self)
        try await knowledge.deleteCategory(context.identity, id: id)
        return Response(status: .noContent)
    }

    @Sendable func faqs(_ request: Request, context: AuthenticatedContext) async throws -> [DTO.FAQ] {
        let locale = request.uri.queryParameters["locale"].flatMap { ContentLocale(rawValue: String($0)) }
        return try await knowledge.faqs(context.identity, locale: locale).map(DTO.FAQ.init)
    }

    struct NewFAQ: Decodable {
        var questions: [String]
        var answer: String
        var intent: String?
        var locale: ContentLocale
    }

    @Sendable func createFAQ(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DTO.FAQ> {
        let body = try await request.decodeJSON(NewFAQ.self, context: context)
        let faq = try await knowledge.createFAQ(
            context.identity, questions: body.questions, answer: body.answer, intent: body.intent, locale: body.locale)
        return EditedResponse(status: .created, headers: [.eTag: "\"\(faq.version)\""], response: .init(faq))
    }

    @Sendable func faq(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DTO.FAQ> {
        let id = try context.parameters.require("faqID", as: FAQID.self)
        let faq = try await knowledge.faq(context.identity, id: id)
        return EditedResponse(headers: [.eTag: "\"\(faq.version)\""], response: .init(faq))
    }

    struct FAQPatch: Decodable {
        var questions: [String]?
        var answer: String?
        var intent: String?
        var locale: ContentLocale?
        var version: Int?
    }

    @Sendable func updateFAQ(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DTO.FAQ> {
        let id = try context.parameters.require("faqID", as: FAQID.self)
        let patch = try await request.decodeJSON(FAQPatch.self, context: context)
        let expected = try Self.expectedVersion(patch.version, request)
        let current = try await knowledge.faq(context.identity, id: id)
        let faq = try await knowledge.updateFAQ(
            context.identity, id: id, questions: patch.questions ?? current.questions, answer: patch.answer ?? current.answer,
            intent: patch.intent ?? current.intent, locale: patch.locale ?? current.locale, expectedVersion: expected)
        return EditedResponse(headers: [.eTag: "\"\(faq.version)\""], response: .init(faq))
    }

    @Sendable func deleteFAQ(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("faqID", as: FAQID.self)
        try await knowledge.deleteFAQ(context.identity, id: id)
        return Response(status: .noContent)
    }
}
