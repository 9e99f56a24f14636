import Hummingbird

/// Applies the configured body limit to the context before any handler reads the body; chat file uploads (a POST to
/// a path ending in `/attachments`) get the attachment limit instead.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let maxBytes: Int
    let uploadBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var context = context
        let isUpload = request.method == .post && request.uri.path.hasSuffix("/attachments")
        let maxBytes = isUpload ? uploadBytes : maxBytes
        context.maxUploadSize = maxBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw APIError.bodyTooLarge
        }
        return try await next(request, context)
    }
}
