import Foundation
import Hummingbird

/// A decoded `application/x-www-form-urlencoded` body; the last value of a repeated key wins, `all` has every one
/// (checkbox lists).
struct FormData: Sendable {
    private var values: [String: String] = [:]
    private var lists: [String: [String]] = [:]

    init(_ body: String) {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawKey = parts.first else { continue }
            let key = Self.decode(String(rawKey))
            let value = parts.count > 1 ? Self.decode(String(parts[1])) : ""
            values[key] = value
            lists[key, default: []].append(value)
        }
    }

    subscript(_ key: String) -> String? { values[key] }

    func all(_ key: String) -> [String] { lists[key] ?? [] }

    var keys: [String] { Array(values.keys).sorted() }

    private static func decode(_ text: String) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }
}

extension FormData {
    /// Reads a request's form body within the context's size limit.
    static func read(_ request: Request, _ context: some RequestContext) async throws -> FormData {
        var request = request
        return FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
    }
}
