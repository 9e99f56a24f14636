import Foundation

/// A FAQ entry: several ways customers ask, one answer, optionally tied to an intent.
public struct FAQEntry: Sendable, Codable, Equatable {
    public var id: String
    public var questions: [String]
    public var answer: String
    public var intent: String?

    public init(id: String, questions: [String], answer: String, intent: String? = nil) {
        self.id = id
        self.questions = questions
        self.answer = answer
        self.intent = intent
    }
}

/// A knowledge-base article.
public struct Article: Sendable, Codable, Equatable {
    public var id: String
    public var title: String
    public var body: String

    public init(id: String, title: String, body: String) {
        self.id = id
        self.title = title
        self.body = body
    }
}

/// FAQ entries and articles with a field-weighted BM25 index kept up to date on every change.
public struct KnowledgeBase: Sendable {
    public private(set) var faqs: [String: FAQEntry] = [:]
    public private(set) var articles: [String: Article] = [:]
    public private(set) var index = BM25Index()

    public init() {}

    struct File: Codable {
        var faqs: [FAQEntry]?
        var articles: [Article]?
    }

    /// `{"faqs": [{"id", "questions": [...], "answer", "intent"?}], "articles": [{"id", "title", "body"}]}`.
    public static func load(json: Data) throws -> KnowledgeBase {
        let file = try JSONDecoder().decode(File.self, from: json)
        var kb = KnowledgeBase()
        for faq in file.faqs ?? [] { kb.upsert(faq) }
        for article in file.articles ?? [] { kb.upsert(article) }
        return kb
    }

    public mutating func upsert(_ faq: FAQEntry) {
        faqs["faq:" + faq.id] = faq
        index.upsert(id: "faq:" + faq.id, fields: [.questions: faq.questions.joined(separator: " \n "), .body: faq.answer])
    }

    public mutating func upsert(_ article: Article) {
        articles["article:" + article.id] = article
        index.upsert(id: "article:" + article.id, fields: [.title: article.title, .body: article.body])
    }

    public mutating func remove(id: String) {
        faqs[id] = nil
        articles[id] = nil
        index.remove(id: id)
    }

    public var count: Int { faqs.count + articles.count }

    /// A search hit with the text to show.
    public struct Hit: Sendable, Equatable, Codable {
        public var id: String
        public var score: Double
        public var title: String
        public var answer: String
        public var snippet: String
        public var intent: String?
    }

    public func search(_ query: String, limit: Int = 3) -> [Hit] {
        index.search(query, limit: limit).compactMap { result in
            if let faq = faqs[result.id] {
                return Hit(
                    id: result.id, score: result.score, title: faq.questions.first ?? "", answer: faq.answer,
                    snippet: Snippet.make(faq.answer, query: query), intent: faq.intent)
            }
            if let article = articles[result.id] {
                return Hit(
                    id: result.id, score: result.score, title: article.title, answer: article.body,
                    snippet: Snippet.make(article.body, query: query), intent: nil)
            }
            return nil
        }
    }
}

/// Okapi BM25 over several weighted fields (BM25F-style: weighted term frequencies, one length normalisation per
/// field). Adding, updating or removing a document touches only that document's postings.
public struct BM25Index: Sendable {
    public enum Field: String, Sendable, CaseIterable, Codable {
        case questions, title, body

        var weight: Double {
            switch self {
            case .questions: 3
            case .title: 2
            case .body: 1
            }
        }
    }

    var k1 = 1.2
    var b = 0.75
    /// term → document → weighted, length-normalised inputs per field.
    private var postings: [String: [String: [Field: Int]]] = [:]
    private var documentTerms: [String: Set<String>] = [:]
    private var lengths: [String: [Field: Int]] = [:]
    private var totalLength: [Field: Int] = [:]

    public init() {}

    public var documentCount: Int { documentTerms.count }

    public mutating func upsert(id: String, fields: [Field: String]) {
        remove(id: id)
        let tokenizer = Tokenizer()
        var terms = Set<String>()
        var fieldLengths: [Field: Int] = [:]
        for (field, text) in fields {
            let tokens = tokenizer.tokens(TextNormalizer().normalize(text)).filter { !StopWords.contains($0) }
            fieldLengths[field] = tokens.count
            totalLength[field, default: 0] += tokens.count
            for token in tokens {
                postings[token, default: [:]][id, default: [:]][field, default: 0] += 1
                terms.insert(token)
            }
        }
        documentTerms[id] = terms
        lengths[id] = fieldLengths
    }

    public mutating func remove(id: String) {
        guard let terms = documentTerms.removeValue(forKey: id) else { return }
        for term in terms {
            postings[term]?[id] = nil
            if postings[term]?.isEmpty == true { postings[term] = nil }
        }
        for (field, length) in lengths.removeValue(forKey: id) ?? [:] { totalLength[field, default: 0] -= length }
    }

    public func search(_ query: String, limit: Int) -> [(id: String, score: Double)] {
        let n = Double(documentTerms.count)
        guard n > 0, limit > 0 else { return [] }
        var averages: [Field: Double] = [:]
        for field in Field.allCases { averages[field] = max(1, Double(totalLength[field] ?? 0) / n) }
        var scores: [String: Double] = [:]
        for term in Set(Tokenizer().tokens(TextNormalizer().normalize(query))) where !StopWords.contains(term) {
            guard let docs = postings[term] else { continue }
            let idf = log(1 + (n - Double(docs.count) + 0.5) / (Double(docs.count) + 0.5))
            for (id, perField) in docs {
                var tf = 0.0
                for (field, count) in perField {
                    let length = Double(lengths[id]?[field] ?? 0)
                    tf += field.weight * Double(count) / (1 - b + b * length / (averages[field] ?? 1))
                }
                scores[id, default: 0] += idf * tf * (k1 + 1) / (tf + k1)
            }
        }
        return scores.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit).map {
            ($0.key, $0.value)
        }
    }
}

/// A short excerpt around the first query term, with matches wrapped in «».
enum Snippet {
    static func make(_ text: String, query: String, length: Int = 80) -> String {
        let terms = Tokenizer().tokens(TextNormalizer().normalize(query)).filter {
            $0.count >= 2 || $0.unicodeScalars.allSatisfy(Tokenizer.isCJK)
        }
        let lower = text.lowercased()
        var start = lower.startIndex
        for term in terms {
            if let range = lower.range(of: term) {
                start = lower.index(
                    range.lowerBound, offsetBy: -min(20, lower.distance(from: lower.startIndex, to: range.lowerBound)))
                break
            }
        }
        let offset = lower.distance(from: lower.startIndex, to: start)
        var excerpt = String(text.dropFirst(offset).prefix(length))
        for term in terms.sorted(by: { $0.count > $1.count }) where term.count >= 2 {
            if let range = excerpt.range(of: term, options: .caseInsensitive) {
                excerpt.replaceSubrange(range, with: "«" + excerpt[range] + "»")
            }
        }
        return (offset > 0 ? "…" : "") + excerpt + (offset + length < text.count ? "…" : "")
    }
}
