import Foundation
import Hummingbird
import KefuCore

/// The help center's ticket API for visitors (no sign-in): open a ticket (idempotent by key), follow it through
/// the signed link, reply, and report an article that answered the question instead.
struct PortalTicketAPIController {
    let portal: PortalTicketService
    let links: PublicLinks

    func register(_ routes: PublicRoutes) {
        routes.on(.post, APIPath.portalTickets, use: open)
        routes.on(.get, APIPath.portalTicket, use: status)
        routes.on(.post, APIPath.portalTicketReplies, use: reply)
        routes.on(.post, APIPath.portalDeflections, use: deflected)
    }

    struct New: Decodable {
        var subject: String
        var body: String
        var email: String
        var name: String?
    }

    struct Opened: ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case number, status
            case statusURL = "status_url"
        }

        var number: Int
        var status: TicketStatus
        var statusURL: String
    }

    @Sendable func open(_ request: Request, context: AppRequestContext) async throws -> Response {
        let slug = try context.parameters.require("slug")
        let body = try await request.decodeJSON(New.self, context: context)
        let (stored, token, created) = try await portal.open(
            slug: slug, subject: body.subject, body: body.body, email: body.email, name: body.name,
            idempotencyKey: request.headers[.idempotencyKey], address: context.clientIP ?? "")
        let opened = Opened(
            number: stored.ticket.number, status: stored.ticket.status,
            statusURL: links.url(path: WebPath.portalTicketStatus(slug, token), request: request))
        var response = try opened.response(from: request, context: context)
        response.status = .created
        if !created { response.headers[.idempotentReplayed] = "true" }
        return response
    }

    struct Status: ResponseEncodable {
        var number: Int
        var subject: String
        var status: TicketStatus
        var events: [Line]

        struct Line: Encodable {
            enum CodingKeys: String, CodingKey {
                case author, body
                case createdAt = "created_at"
            }

            var author: String
            var body: String
            var createdAt: Date
        }
    }

    @Sendable func status(_ request: Request, context: AppRequestContext) async throws -> Status {
        let (_, stored, events) = try await portal.status(
            slug: try context.parameters.require("slug"), token: try context.parameters.require("token"))
        return Status(
            number: stored.ticket.number, subject: stored.ticket.subject, status: stored.ticket.status,
            events: events.map {
                .init(author: $0.author == .agent ? "agent" : "requester", body: $0.body ?? "", createdAt: $0.createdAt)
            })
    }

    struct Reply: Decodable {
        var body: String
    }

    @Sendable func reply(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let body = try await request.decodeJSON(Reply.self, context: context)
        _ = try await portal.reply(
            slug: try context.parameters.require("slug"), token: try context.parameters.require("token"), body: body.body,
            address: context.clientIP ?? "")
        return .created
    }

    struct Deflection: Decodable {
        enum CodingKeys: String, CodingKey { case articleID = "article_id" }
        var articleID: ArticleID
    }

    @Sendable func deflected(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let body = try await request.decodeJSON(Deflection.self, context: context)
        try await portal.deflected(
            slug: try context.parameters.require("slug"), article: body.articleID,
            address: context.clientIP ?? "")
        return .noContent
    }
}
