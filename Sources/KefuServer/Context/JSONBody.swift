import Foundation
import Hummingbird
import KefuCore

extension Request {
    /// Decodes a JSON body: 415 unless the content type is JSON, 413 over the size limit, 400 for malformed JSON,
    /// 422 naming the field when a field is missing or of the wrong type.
    func decodeJSON<T: Decodable>(_ type: T.Type, context: some RequestContext) async throws -> T {
        try JSONMediaType.require(self)
        var request = self
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        do {
            return try JSONCoding.decoder.decode(T.self, from: Data(buffer: buffer))
        } catch DecodingError.keyNotFound(let key, let ctx) {
            throw Self.fieldError(ctx.codingPath + [key], .required)
        } catch DecodingError.typeMismatch(let type, let ctx) {
            throw Self.fieldError(ctx.codingPath, .wrongType("\(type)"))
        } catch DecodingError.valueNotFound(_, let ctx) {
            throw Self.fieldError(ctx.codingPath, .notNull)
        } catch DecodingError.dataCorrupted(let ctx) where !ctx.codingPath.isEmpty {
            throw Self.fieldError(ctx.codingPath, .wrongType("\(T.self)"))
        } catch {
            throw APIError.malformedJSON
        }
    }

    private static func fieldError(_ path: [any CodingKey], _ issue: ValidationIssue) -> APIError {
        let name = path.map { snakeCase($0.stringValue) }.joined(separator: ".")
        return .validation(ValidationErrors(name.isEmpty ? "body" : name, issue))
    }

    private static func snakeCase(_ text: String) -> String {
        var out = ""
        for ch in text {
            if ch.isUppercase {
                out += "_" + ch.lowercased()
            } else {
                out.append(ch)
            }
        }
        return out
    }
}

/// Cursor pagination: `?limit=` (1–100, default 50) and `?cursor=`.
struct PageQuery {
    var limit: Int
    var cursor: String?

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        if let text = query["limit"].map(String.init) {
            guard let value = Int(text), (1...100).contains(value) else {
                throw APIError.validation(ValidationErrors("limit", .number(min: 1, max: 100)))
            }
            limit = value
        } else {
            limit = 50
        }
        // An empty cursor is the first page, as the document allows.
        cursor = query["cursor"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// A page of results with the cursor for the next one (null at the end).
struct Page<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    enum CodingKeys: String, CodingKey {
        case data
        case nextCursor = "next_cursor"
    }

    var data: [Item]
    var nextCursor: String?

    /// `next_cursor` is always present, null on the last page.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
