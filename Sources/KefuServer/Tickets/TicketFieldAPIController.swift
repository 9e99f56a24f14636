import Foundation
import Hummingbird
import KefuCore

/// The workspace's declared ticket fields: everyone reads them (the ticket pages show them); supervisors and up keep
/// them.
struct TicketFieldAPIController {
    let fields: TicketFieldService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.ticketFields, .viewTickets, use: list)
        routes.on(.post, APIPath.ticketFields, .manageTicketSettings, use: create)
        routes.on(.put, APIPath.ticketField, .manageTicketSettings, use: update)
        routes.on(.delete, APIPath.ticketField, .manageTicketSettings, use: delete)
    }

    struct Field: Codable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id, key, name, kind, options, position
            case createdAt = "created_at"
        }

        var id: TicketFieldID?
        var key: String?
        var name: String
        var kind: TicketField.Kind
        var options: [String]?
        var position: Int?
        var createdAt: Date?

        init(_ field: TicketField) {
            id = field.id
            key = field.key
            name = field.name
            kind = field.kind
            options = field.options
            position = field.position
            createdAt = field.createdAt
        }

        var draft: TicketFieldService.Draft {
            TicketFieldService.Draft(name: name, kind: kind, options: options ?? [], position: position)
        }
    }

    struct List: ResponseEncodable {
        var data: [Field]
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> List {
        List(data: try await fields.list(context.identity.workspace.id).map(Field.init))
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<Field> {
        let body = try await request.decodeJSON(Field.self, context: context)
        let field = try await fields.create(context.identity, key: body.key ?? "", body.draft, ip: context.clientIP)
        return EditedResponse(status: .created, response: Field(field))
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> Field {
        let id = try context.parameters.require("ticketFieldID", as: TicketFieldID.self)
        let body = try await request.decodeJSON(Field.self, context: context)
        return Field(try await fields.update(context.identity, id, body.draft, ip: context.clientIP))
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> HTTPResponse.Status {
        let id = try context.parameters.require("ticketFieldID", as: TicketFieldID.self)
        try await fields.delete(context.identity, id, ip: context.clientIP)
        return .noContent
    }
}
