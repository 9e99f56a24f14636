import Foundation
import HTTPTypes
import Hummingbird
import KefuCore

/// Checks a request against its documented operation before the handler runs: path parameters (400), query
/// parameters and the JSON body (422 naming each field), the body's media type (415). A request the document
/// allows passes untouched; rules the document does not state belong in the document, not here.
struct ContractValidationMiddleware<Context: RequestContext>: RouterMiddleware {
    let operation: OpenAPIContract.Operation

    /// Nil for an operation without parameters or body: there is nothing to check, so the route skips the layer.
    init?(_ operation: OpenAPIContract.Operation) {
        guard !operation.parameters.isEmpty || operation.body != nil else { return nil }
        self.operation = operation
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var pathValues: [String: String] = [:]
        for (key, value) in context.parameters { pathValues[String(key)] = String(value) }
        var query: [String: String] = [:]
        // The first value of a repeated key, as the handlers read it.
        for (key, value) in request.uri.queryParameters where query[String(key)] == nil { query[String(key)] = String(value) }
        let parameterErrors = operation.parameterErrors(query: query, path: pathValues) { name in
            HTTPField.Name(name).flatMap { request.headers[$0] }
        }
        if !parameterErrors.isEmpty {
            let pathNames = Set(operation.parameters.filter { $0.location == "path" }.map(\.name))
            if parameterErrors.issues.keys.contains(where: pathNames.contains) {
                // /teams/None is no team: a path naming nothing answers as missing, like one naming an unknown id.
                throw APIError.notFound
            }
            throw parameterErrors
        }
        guard operation.body != nil else { return try await next(request, context) }
        try JSONMediaType.require(request)
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        guard let body = JSONValue.parse(Data(buffer: buffer)) else { throw APIError.malformedJSON }
        try operation.bodyErrors(body).throwIfAny()
        return try await next(request, context)
    }
}

/// The one rule for what counts as a JSON body: the media type `application/json` exactly, parameters allowed
/// (`application/jsonp` or `application/json-patch+json` are other types).
enum JSONMediaType {
    static func require(_ request: Request) throws {
        guard let contentType = request.headers[.contentType], isJSON(contentType) else { throw APIError.unsupportedMediaType }
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}
