import FluentKit
import Foundation
import KefuCore

final class CategoryModel: Model, @unchecked Sendable {
    static let schema = "kb_categories"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "key") var key: String
    @Field(key: "name_en") var nameEN: String
    @Field(key: "name_zh") var nameZH: String
    @Field(key: "position") var position: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func record() throws -> KBCategory {
        KBCategory(
            id: CategoryID(try requireID()), workspaceID: WorkspaceID(workspaceID), key: key, nameEN: nameEN,
            nameZH: nameZH, position: position)
    }
}

final class ArticleModel: Model, @unchecked Sendable {
    static let schema = "kb_articles"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @OptionalField(key: "category_id") var categoryID: UUID?
    @Field(key: "translation_group") var translationGroup: UUID
    @Field(key: "locale") var locale: String
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Field(key: "status") var status: String
    @Field(key: "version") var version: Int
    @Field(key: "helpful_count") var helpfulCount: Int
    @Field(key: "unhelpful_count") var unhelpfulCount: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "published_at") var publishedAt: Date?

    init() {}

    func record() throws -> KBArticle {
        KBArticle(
            id: ArticleID(try requireID()), workspaceID: WorkspaceID(workspaceID), categoryID: categoryID.map(CategoryID.init),
            translationGroup: translationGroup,
            locale: try decodeStored(ContentLocale.self, locale, table: Self.schema, column: "locale"), title: title,
            body: body, status: try decodeStored(PublicationStatus.self, status, table: Self.schema, column: "status"),
            version: version, helpfulCount: helpfulCount, unhelpfulCount: unhelpfulCount, createdAt: createdAt,
            updatedAt: updatedAt, publishedAt: publishedAt)
    }
}

final class RevisionModel: Model, @unchecked Sendable {
    static let schema = "kb_article_revisions"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "article_id") var articleID: UUID
    @Field(key: "version") var version: Int
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Field(key: "status") var status: String
    @OptionalField(key: "edited_by") var editedBy: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func record() throws -> KBRevision {
        KBRevision(
            id: RevisionID(try requireID()), articleID: ArticleID(articleID), version: version, title: title, body: body,
            status: try decodeStored(PublicationStatus.self, status, table: Self.schema, column: "status"),
            editedBy: editedBy.map(UserID.init), createdAt: createdAt)
    }
}

final class FAQModel: Model, @unchecked Sendable {
    static let schema = "kb_faqs"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    /// A JSON array of strings.
    @Field(key: "questions") var questions: String
    @Field(key: "answer") var answer: String
    @OptionalField(key: "intent") var intent: String?
    @Field(key: "locale") var locale: String
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    static func encodeQuestions(_ questions: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(questions)) ?? Data("[]".utf8), as: UTF8.self)
    }

    func record() throws -> KBFAQ {
        guard let list = try? JSONDecoder().decode([String].self, from: Data(questions.utf8)) else {
            throw StoreError.undecodable(table: Self.schema, column: "questions", value: questions)
        }
        return KBFAQ(
            id: FAQID(try requireID()), workspaceID: WorkspaceID(workspaceID), questions: list, answer: answer,
            intent: intent, locale: try decodeStored(ContentLocale.self, locale, table: Self.schema, column: "locale"),
            version: version, createdAt: createdAt, updatedAt: updatedAt)
    }
}

final class ArticleVoteModel: Model, @unchecked Sendable {
    static let schema = "kb_article_votes"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "article_id") var articleID: UUID
    @Field(key: "locale") var locale: String
    @Field(key: "visitor") var visitor: String
    @Field(key: "helpful") var helpful: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
