import Foundation
import Hummingbird
import KefuCore

extension Request {
    /// Decodes a JSON body: 415 unless the content type is JSON, 413 over the size limit, 400 for malformed JSON,
    /// 422 naming the field when a field is missing or of the wrong type.
    func decodeJSON<T: Decodable>(_ type: T.Type, context: some RequestContext) async throws -> T {
        guard let contentType = headers[.contentType], contentType.lowercased().hasPrefix("application/json") else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "Send the body as application/json.")
        }
        var request = self
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        do {
            return try JSONCoding.decoder.decode(T.self, from: Data(buffer: buffer))
        } catch DecodingError.keyNotFound(let key, let ctx) {
            throw Self.fieldError(ctx.codingPath + [key], "is required")
        } catch DecodingError.typeMismatch(_, let ctx) {
            throw Self.fieldError(ctx.codingPath, "has the wrong type")
        } catch DecodingError.valueNotFound(_, let ctx) {
            throw Self.fieldError(ctx.codingPath, "must not be null")
        } catch {
            throw APIError(.badRequest, code: "malformed_json", message: "The body is not valid JSON.")
        }
    }

    private static func fieldError(_ path: [any CodingKey], _ message: String) -> APIError {
        let name = path.map { snakeCase($0.stringValue) }.joined(separator: ".")
        var errors = ValidationErrors()
        errors.add(name.isEmpty ? "body" : name, message)
        return .validation(errors)
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
                var errors = ValidationErrors()
                errors.add("limit", "a whole number from 1 to 100")
                throw APIError.validation(errors)
            }
            limit = value
        } else {
            limit = 50
        }
        cursor = query["cursor"].map(String.init)
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
}
