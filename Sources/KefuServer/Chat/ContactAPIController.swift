import Foundation
import Hummingbird
import KefuCore
import KefuStore

/// Customers: find them, read one with their conversations, edit the profile and attributes, merge two into one.
struct ContactAPIController {
    let contacts: ContactService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.contacts, .viewConversations, use: list)
        routes.on(.get, APIPath.contact, .viewConversations, use: get)
        routes.on(.patch, APIPath.contact, .replyConversations, use: update)
        routes.on(.post, APIPath.contactMerge, .replyConversations, use: merge)
    }

    struct List: ResponseEncodable {
        var data: [DTO.ContactSummary]
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> List {
        let query = request.uri.queryParameters
        let rows = try await contacts.list(
            context.identity, matching: query.get("q"), before: query.get("before").flatMap(RFC3339.parse),
            limit: query.get("limit", as: Int.self) ?? 50)
        return List(data: rows.map(DTO.ContactSummary.init))
    }

    struct Detail: ResponseEncodable {
        var contact: DTO.ContactSummary
        var conversations: [DTO.ConversationSummary]
    }

    @Sendable func get(_ request: Request, context: AuthenticatedContext) async throws -> Detail {
        let id = try context.parameters.require("contactID", as: ContactID.self)
        let (contact, conversations) = try await contacts.contact(context.identity, id)
        return Detail(
            contact: .init(contact), conversations: conversations.map { .init($0, contact: nil, forAgent: true) })
    }

    struct Change: Decodable {
        var name: String?
        var email: String?
        var phone: String?
        var attributes: [String: String]?
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> DTO.ContactSummary {
        let id = try context.parameters.require("contactID", as: ContactID.self)
        let body = try await request.decodeJSON(Change.self, context: context)
        let change = ContactChange(
            name: body.name, email: body.email, phone: body.phone, attributes: body.attributes ?? [:])
        return .init(try await contacts.update(context.identity, id, change))
    }

    struct Merge: Decodable {
        enum CodingKeys: String, CodingKey { case sourceID = "source_id" }
        var sourceID: ContactID
    }

    /// Merges the contact named in the body into the one in the path.
    @Sendable func merge(_ request: Request, context: AuthenticatedContext) async throws -> DTO.ContactSummary {
        let id = try context.parameters.require("contactID", as: ContactID.self)
        let body = try await request.decodeJSON(Merge.self, context: context)
        return .init(try await contacts.merge(context.identity, body.sourceID, into: id, ip: context.clientIP))
    }
}

extension DTO.ContactSummary: ResponseEncodable {}
