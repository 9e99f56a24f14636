import Foundation
import Hummingbird
import KefuCore

/// The public help center's API: search as you type, and "was this helpful?".
struct PortalAPIController {
    let portal: PortalService
    let links: PublicLinks
    static let visitorCookie = "kefu_visitor"

    func register(_ routes: PublicRoutes) {
        routes.on(.get, APIPath.portalSearch, use: search)
        routes.on(.post, APIPath.portalVote, use: vote)
    }

    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> DTO.SearchResults {
        let slug = try context.parameters.require("slug")
        let workspace = try await portal.workspace(slug: slug)
        let query = request.uri.queryParameters
        let locale =
            query["locale"].flatMap { ContentLocale(rawValue: String($0)) } ?? workspace.defaultLocale
        let limit = query["limit"].flatMap { Int(String($0)) }.map { min(max($0, 1), 20) } ?? 10
        let results = try await portal.search(workspace, query: query["q"].map(String.init) ?? "", locale: locale, limit: limit)
        return DTO.SearchResults(
            results: results.map { result in
                let (plain, highlights) = Highlight.split(result.snippet)
                return .init(
                    title: result.title, snippet: plain, highlights: highlights,
                    url: links.url(path: WebPath.portalArticle(workspace.slug, result.article), request: request),
                    score: (result.score * 1000).rounded() / 1000)
            })
    }

    struct Vote: Decodable {
        var helpful: Bool
    }

    @Sendable func vote(_ request: Request, context: AppRequestContext) async throws -> Response {
        let slug = try context.parameters.require("slug")
        let id = try context.parameters.require("articleID", as: ArticleID.self)
        let body = try await request.decodeJSON(Vote.self, context: context)
        let workspace = try await portal.workspace(slug: slug)
        let (visitor, isNew) = Self.visitor(request)
        let (yes, no) = try await portal.vote(workspace, article: id, visitor: visitor, helpful: body.helpful)
        var response = try DTO.Votes(helpfulCount: yes, unhelpfulCount: no).response(from: request, context: context)
        if isNew { response.setCookie(Self.cookie(visitor)) }
        return response
    }

    /// The visitor's random id from their cookie, or a new one.
    static func visitor(_ request: Request) -> (String, isNew: Bool) {
        if let value = request.cookies[visitorCookie]?.value, UUID(uuidString: value) != nil { return (value, false) }
        return (UUID().uuidString, true)
    }

    static func cookie(_ visitor: String) -> Cookie {
        Cookie(name: visitorCookie, value: visitor, maxAge: 365 * 24 * 3600, path: "/", httpOnly: true, sameSite: .lax)
    }
}

/// Snippets mark matched words with «»; the API returns plain text plus the words, pages turn them into <mark>.
enum Highlight {
    static func split(_ snippet: String) -> (String, [String]) {
        var plain = ""
        var words: [String] = []
        var current: String?
        for ch in snippet {
            switch ch {
            case "«": current = ""
            case "»":
                if let word = current, !word.isEmpty { words.append(word) }
                current = nil
            default:
                plain.append(ch)
                if current != nil { current?.append(ch) }
            }
        }
        return (plain, words)
    }

    /// Escaped HTML with the matches in <mark>.
    static func html(_ snippet: String) -> String {
        HTMLSanitizer.escapeText(snippet).replacingOccurrences(of: "«", with: "<mark>")
            .replacingOccurrences(of: "»", with: "</mark>")
    }
}
