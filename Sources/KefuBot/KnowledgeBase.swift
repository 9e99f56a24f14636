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
/// field). Adding, updating or removing a document touches only that document's postings; no full rebuild.
public struct BM25Index: Sendable {
    public enum Field: Int, Sendable, CaseIterable, Codable {
        case questions, title, body

        var weight: Double {
            switch self {
            case .questions: 3
            case .title: 2
            case .body: 1
            }
        }
    }

    struct Posting: Sendable {
        var document: Int32
        /// Occurrences in questions, title, body.
        var counts: (UInt16, UInt16, UInt16)
    }

    var k1 = 1.2
    var b = 0.75
    private var postings: [String: [Posting]] = [:]
    private var slots: [String: Int32] = [:]
    private var ids: [String?] = []
    private var documentTerms: [[String]] = []
    /// Token counts per document: questions, title, body.
    private var lengths: [(Int, Int, Int)] = []
    private var freeSlots: [Int32] = []
    private var totalLength = (0, 0, 0)

    public init() {}

    public var documentCount: Int { slots.count }

    public mutating func upsert(id: String, fields: [Field: String]) {
        remove(id: id)
        let slot = freeSlots.popLast() ?? Int32(ids.count)
        if Int(slot) == ids.count {
            ids.append(nil)
            documentTerms.append([])
            lengths.append((0, 0, 0))
        }
        var counts: [String: (UInt16, UInt16, UInt16)] = [:]
        var length = (0, 0, 0)
        for (field, text) in fields {
            let tokens = Tokenizer().tokens(TextNormalizer().normalize(text)).filter { !StopWords.contains($0) }
            for token in tokens {
                var c = counts[token] ?? (0, 0, 0)
                switch field {
                case .questions: c.0 &+= 1
                case .title: c.1 &+= 1
                case .body: c.2 &+= 1
                }
                counts[token] = c
            }
            switch field {
            case .questions: length.0 += tokens.count
            case .title: length.1 += tokens.count
            case .body: length.2 += tokens.count
            }
        }
        for (term, c) in counts { postings[term, default: []].append(Posting(document: slot, counts: c)) }
        ids[Int(slot)] = id
        slots[id] = slot
        documentTerms[Int(slot)] = Array(counts.keys)
        lengths[Int(slot)] = length
        totalLength = (totalLength.0 + length.0, totalLength.1 + length.1, totalLength.2 + length.2)
    }

    public mutating func remove(id: String) {
        guard let slot = slots.removeValue(forKey: id) else { return }
        let index = Int(slot)
        for term in documentTerms[index] {
            postings[term]?.removeAll { $0.document == slot }
            if postings[term]?.isEmpty == true { postings[term] = nil }
        }
        let length = lengths[index]
        totalLength = (totalLength.0 - length.0, totalLength.1 - length.1, totalLength.2 - length.2)
        ids[index] = nil
        documentTerms[index] = []
        lengths[index] = (0, 0, 0)
        freeSlots.append(slot)
    }

    public func search(_ query: String, limit: Int) -> [(id: String, score: Double)] {
        let n = Double(slots.count)
        guard n > 0, limit > 0 else { return [] }
        let average = (max(1, Double(totalLength.0) / n), max(1, Double(totalLength.1) / n), max(1, Double(totalLength.2) / n))
        var scores = [Double](repeating: 0, count: ids.count)
        var touched: [Int32] = []
        for term in Set(Tokenizer().tokens(TextNormalizer().normalize(query))) where !StopWords.contains(term) {
            guard let list = postings[term] else { continue }
            let idf = log(1 + (n - Double(list.count) + 0.5) / (Double(list.count) + 0.5))
            for posting in list {
                let d = Int(posting.document)
                let length = lengths[d]
                let tf =
                    Field.questions.weight * Double(posting.counts.0) / (1 - b + b * Double(length.0) / average.0)
                    + Field.title.weight * Double(posting.counts.1) / (1 - b + b * Double(length.1) / average.1)
                    + Field.body.weight * Double(posting.counts.2) / (1 - b + b * Double(length.2) / average.2)
                if scores[d] == 0 { touched.append(posting.document) }
                scores[d] += idf * tf * (k1 + 1) / (tf + k1)
            }
        }
        // Partial selection: keep the best `limit` without sorting every touched document.
        var best: [(Int32, Double)] = []
        for d in touched {
            let score = scores[Int(d)]
            guard score > 0 else { continue }
            if best.count < limit {
                best.append((d, score))
                best.sort { $0.1 > $1.1 }
            } else if let last = best.last, score > last.1 {
                best[best.count - 1] = (d, score)
                best.sort { $0.1 > $1.1 }
            }
        }
        return best.compactMap { entry in ids[Int(entry.0)].map { ($0, entry.1) } }
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
