import Hummingbird
import Logging

/// Logs each request's method and path, with the secret parts of capability addresses (a file's token, a ticket
/// status link, an invitation) and every query string left out: a log is read by more people than those links are
/// meant for.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let level: Logger.Level

    init(_ level: Logger.Level) { self.level = level }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        context.logger.log(
            level: level, "request",
            metadata: ["http.method": .string(request.method.rawValue), "http.path": .string(Self.redacted(request.uri.path))])
        return try await next(request, context)
    }

    /// The path with capability tokens replaced by `…`.
    static func redacted(_ path: String) -> String {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        func hide(_ index: Int) { if parts.indices.contains(index) { parts[index] = "…" } }
        // ["", "files", ws, id, token] · ["", "invite", token] · ["", "help", slug, "tickets", token(, …)]
        // ["", "api", "v1", "portal", slug, "tickets", token(, "replies")]
        switch parts.count > 1 ? parts[1] : "" {
        case "files": hide(4)
        case "invite": hide(2)
        case "help" where parts.count > 4 && parts[3] == "tickets" && parts[4] != "new": hide(4)
        case "api" where parts.count > 6 && parts[3] == "portal" && parts[5] == "tickets": hide(6)
        default: break
        }
        return parts.joined(separator: "/")
    }
}
