import Foundation
import Hummingbird
import KefuCore

/// Saved ticket views with counts. `GET /api/v1/tickets?view=<id>` lists a view's tickets.
struct TicketViewAPIController {
    let views: TicketViewService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.ticketViews, .viewTickets, use: list)
        routes.on(.post, APIPath.ticketViews, .viewTickets, use: create)
        routes.on(.patch, APIPath.ticketView, .viewTickets, use: update)
        routes.on(.delete, APIPath.ticketView, .viewTickets, use: delete)
    }

    /// A view's filter on the wire: the same names as the list's query parameters.
    struct Filter: Codable {
        enum CodingKeys: String, CodingKey {
            case status, priority, assignee, tag, sla, q
            case teamID = "team_id"
        }

        var status: [TicketStatus]?
        var priority: [TicketPriority]?
        var assignee: String?
        var teamID: TeamID?
        var tag: String?
        var sla: TicketFilter.SLAState?
        var q: String?

        init(_ filter: TicketFilter) {
            status = filter.statuses
            priority = filter.priorities
            switch filter.assignee {
            case .me: assignee = "me"
            case .nobody: assignee = "none"
            case .user(let id): assignee = id.description
            case nil: assignee = nil
            }
            teamID = filter.teamID
            tag = filter.tag
            sla = filter.sla
            q = filter.query
        }

        func record() throws -> TicketFilter {
            var filter = TicketFilter(
                statuses: status ?? [], priorities: priority ?? [], teamID: teamID, tag: tag?.lowercased(), sla: sla, query: q)
            switch assignee {
            case "me": filter.assignee = .me
            case "none": filter.assignee = .nobody
            case nil: break
            case let text?:
                guard let id = UserID(text) else { throw ValidationErrors("filter", .pattern) }
                filter.assignee = .user(id)
            }
            return filter
        }
    }

    struct View: ResponseEncodable {
        var id: TicketViewID
        var name: String
        var shared: Bool
        var position: Int
        var filter: Filter
        var count: Int?

        init(_ view: TicketView, count: Int? = nil) {
            id = view.id
            name = view.name
            shared = view.ownerID == nil
            position = view.position
            filter = Filter(view.filter)
            self.count = count
        }
    }

    struct List: ResponseEncodable {
        var data: [View]
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> List {
        List(data: try await views.list(context.identity).map { View($0.0, count: $0.count) })
    }

    struct New: Decodable {
        var name: String
        var shared: Bool?
        var filter: Filter
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<View> {
        let body = try await request.decodeJSON(New.self, context: context)
        let view = try await views.create(
            context.identity, name: body.name, shared: body.shared ?? false, filter: try body.filter.record())
        return EditedResponse(status: .created, response: View(view))
    }

    struct Change: Decodable {
        var name: String?
        var filter: Filter?
        var position: Int?
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> View {
        let id = try context.parameters.require("ticketViewID", as: TicketViewID.self)
        let body = try await request.decodeJSON(Change.self, context: context)
        return View(
            try await views.update(
                context.identity, id, name: body.name, filter: try body.filter?.record(), position: body.position))
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> HTTPResponse.Status {
        try await views.delete(context.identity, try context.parameters.require("ticketViewID", as: TicketViewID.self))
        return .noContent
    }
}
