import Foundation
import Hummingbird
import KefuBot
import KefuCore

extension DTO {
    struct Article: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id, title, body, html, locale, status, version, url
            case categoryID = "category_id"
            case translationGroup = "translation_group"
            case helpfulCount = "helpful_count"
            case unhelpfulCount = "unhelpful_count"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
            case publishedAt = "published_at"
        }

        var id: ArticleID
        var title: String
        var body: String
        /// The body rendered and sanitised: safe to put in a page as it is.
        var html: String
        var locale: ContentLocale
        var status: PublicationStatus
        var version: Int
        /// The article's public portal page.
        var url: String
        var categoryID: CategoryID?
        var translationGroup: UUID
        var helpfulCount: Int
        var unhelpfulCount: Int
        var createdAt: Date
        var updatedAt: Date
        var publishedAt: Date?

        init(_ a: KBArticle, url: String) {
            id = a.id
            title = a.title
            body = a.body
            html = MarkdownRenderer().html(a.body)
            locale = a.locale
            status = a.status
            version = a.version
            self.url = url
            categoryID = a.categoryID
            translationGroup = a.translationGroup
            helpfulCount = a.helpfulCount
            unhelpfulCount = a.unhelpfulCount
            createdAt = a.createdAt
            updatedAt = a.updatedAt
            publishedAt = a.publishedAt
        }

        /// The version as an entity tag, so `If-Match` works as well as `version` in the body.
        var etag: String { "\"\(version)\"" }
    }

    struct Revision: Codable, Sendable {
        enum CodingKeys: String, CodingKey {
            case id, version, title, body, status
            case editedBy = "edited_by"
            case createdAt = "created_at"
        }

        var id: RevisionID
        var version: Int
        var title: String
        var body: String
        var status: PublicationStatus
        var editedBy: UserID?
        var createdAt: Date

        init(_ r: KBRevision) {
            id = r.id
            version = r.version
            title = r.title
            body = r.body
            status = r.status
            editedBy = r.editedBy
            createdAt = r.createdAt
        }
    }

    struct Category: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id, key, position
            case nameEN = "name_en"
            case nameZH = "name_zh"
        }

        var id: CategoryID
        var key: String
        var nameEN: String
        var nameZH: String
        var position: Int

        init(_ c: KBCategory) {
            id = c.id
            key = c.key
            nameEN = c.nameEN
            nameZH = c.nameZH
            position = c.position
        }
    }

    struct FAQ: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id, questions, answer, intent, locale, version
            case createdAt = "created_at"
            case updatedAt = "updated_at"
        }

        var id: FAQID
        var questions: [String]
        var answer: String
        var intent: String?
        var locale: ContentLocale
        var version: Int
        var createdAt: Date
        var updatedAt: Date

        init(_ f: KBFAQ) {
            id = f.id
            questions = f.questions
            answer = f.answer
            intent = f.intent
            locale = f.locale
            version = f.version
            createdAt = f.createdAt
            updatedAt = f.updatedAt
        }
    }

    struct SearchResults: Codable, Sendable, ResponseEncodable {
        struct Result: Codable, Sendable {
            var title: String
            /// Plain text around the matched words.
            var snippet: String
            /// The matched words, in the order they appear in the snippet.
            var highlights: [String]
            var url: String
            var score: Double
        }

        var results: [Result]
    }

    struct Votes: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case helpfulCount = "helpful_count"
            case unhelpfulCount = "unhelpful_count"
        }

        var helpfulCount: Int
        var unhelpfulCount: Int
    }

    struct Intent: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id, label, flow
            case nameEN = "name_en"
            case nameZH = "name_zh"
            case phraseCount = "phrase_count"
            case createdAt = "created_at"
            case teamID = "team_id"
        }

        var id: IntentID
        var label: String
        var flow: String?
        /// The team its hand-offs go to; absent: the workspace's default team.
        var teamID: TeamID?
        var nameEN: String
        var nameZH: String
        var phraseCount: Int
        var createdAt: Date

        init(_ i: BotIntent, phraseCount: Int) {
            id = i.id
            label = i.label
            flow = i.flow
            nameEN = i.nameEN
            nameZH = i.nameZH
            self.phraseCount = phraseCount
            createdAt = i.createdAt
            teamID = i.teamID
        }
    }

    struct Phrase: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id, text, locale, source
            case intentID = "intent_id"
            case createdAt = "created_at"
        }

        var id: PhraseID
        var text: String
        var locale: ContentLocale
        var source: PhraseSource
        var intentID: IntentID
        var createdAt: Date

        init(_ p: TrainingPhrase) {
            id = p.id
            text = p.text
            locale = p.locale
            source = p.source
            intentID = p.intentID
            createdAt = p.createdAt
        }
    }

    struct IntentDetail: Codable, Sendable, ResponseEncodable {
        var intent: Intent
        var phrases: [Phrase]
    }

    struct BotModel: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id, version, active, metrics
            case phraseCount = "phrase_count"
            case intentCount = "intent_count"
            case dataHash = "data_hash"
            case trainedBy = "trained_by"
            case createdAt = "created_at"
        }

        var id: BotModelID
        var version: Int
        var active: Bool
        var metrics: TrainingReport?
        var phraseCount: Int
        var intentCount: Int
        var dataHash: String
        var trainedBy: UserID?
        var createdAt: Date

        init(_ m: BotModelVersion) {
            id = m.id
            version = m.version
            active = m.active
            metrics = try? JSONCoding.decoder.decode(TrainingReport.self, from: Data(m.metrics.utf8))
            phraseCount = m.phraseCount
            intentCount = m.intentCount
            dataHash = m.dataHash
            trainedBy = m.trainedBy
            createdAt = m.createdAt
        }
    }

    struct BotModels: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case models
            case activeVersion = "active_version"
        }

        var models: [BotModel]
        var activeVersion: Int?
    }

    struct Job: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id, kind, status, attempts
            case maxAttempts = "max_attempts"
            case lastError = "last_error"
            case result
            case createdAt = "created_at"
            case finishedAt = "finished_at"
        }

        var id: JobID
        var kind: String
        var status: KefuCore.Job.Status
        var attempts: Int
        var maxAttempts: Int
        var lastError: String?
        var result: String?
        var createdAt: Date
        var finishedAt: Date?

        init(_ j: KefuCore.Job) {
            id = j.id
            kind = j.kind
            status = j.status
            attempts = j.attempts
            maxAttempts = j.maxAttempts
            lastError = j.lastError
            result = j.result
            createdAt = j.createdAt
            finishedAt = j.finishedAt
        }
    }

    struct JobQueued: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case jobID = "job_id"
            case status
        }

        var jobID: JobID
        var status: KefuCore.Job.Status
    }

    struct Template: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id, name, description, intents, phrases, faqs, articles, flows
        }

        var id: String
        var name: [String: String]
        var description: [String: String]
        var intents: Int
        var phrases: Int
        var faqs: Int
        var articles: Int
        var flows: Int

        init(_ t: ScenarioTemplate) {
            id = t.id
            name = ["en": t.manifest.name.en, "zh-CN": t.manifest.name.zh]
            description = ["en": t.manifest.description.en, "zh-CN": t.manifest.description.zh]
            intents = t.manifest.intents.count
            phrases = t.phrases.count
            faqs = t.faqs.count
            articles = t.articles.count
            flows = t.flows.count
        }
    }
}

extension TemplateService.Installed: ResponseEncodable {}
extension Decision: ResponseEncodable {}
