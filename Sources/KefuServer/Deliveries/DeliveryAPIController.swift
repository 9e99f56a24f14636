import Foundation
import Hummingbird
import KefuCore

/// The delivery queue over the API, for admins: what went out or is waiting (status, attempts, last error, next
/// try), a dead delivery queued again, a test e-mail.
struct DeliveryAPIController {
    let deliveries: DeliveryService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.deliveries, .manageDeliveries, use: list)
        routes.on(.get, APIPath.delivery, .manageDeliveries, use: show)
        routes.on(.post, APIPath.deliveryRetry, .manageDeliveries, use: retry)
        routes.on(.post, APIPath.deliveryTestEmail, .manageDeliveries, use: testEmail)
    }

    struct Item: Encodable, ResponseEncodable, Sendable {
        enum CodingKeys: String, CodingKey {
            case id, channel, event, target, subject, body, status, attempts
            case maxAttempts = "max_attempts"
            case nextAttemptAt = "next_attempt_at"
            case lastError = "last_error"
            case conversationID = "conversation_id"
            case ticketID = "ticket_id"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
            case deliveredAt = "delivered_at"
        }

        var id: DeliveryID
        var channel: Delivery.Channel
        var event: String
        var target: String
        var subject: String
        var body: String
        var status: Delivery.Status
        var attempts: Int
        var maxAttempts: Int
        var nextAttemptAt: Date?
        var lastError: String?
        var conversationID: ConversationID?
        var ticketID: TicketID?
        var createdAt: Date
        var updatedAt: Date
        var deliveredAt: Date?

        init(_ delivery: Delivery) {
            id = delivery.id
            channel = delivery.channel
            event = delivery.event
            target = delivery.target
            subject = delivery.subject
            body = delivery.body
            status = delivery.status
            attempts = delivery.attempts
            maxAttempts = delivery.maxAttempts
            nextAttemptAt = delivery.status == .queued ? delivery.nextAttemptAt : nil
            lastError = delivery.lastError
            conversationID = delivery.conversationID
            ticketID = delivery.ticketID
            createdAt = delivery.createdAt
            updatedAt = delivery.updatedAt
            deliveredAt = delivery.deliveredAt
        }

        /// Every key is always present; absent values are null.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(channel, forKey: .channel)
            try container.encode(event, forKey: .event)
            try container.encode(target, forKey: .target)
            try container.encode(subject, forKey: .subject)
            try container.encode(body, forKey: .body)
            try container.encode(status, forKey: .status)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(maxAttempts, forKey: .maxAttempts)
            try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
            try container.encode(lastError, forKey: .lastError)
            try container.encode(conversationID, forKey: .conversationID)
            try container.encode(ticketID, forKey: .ticketID)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(updatedAt, forKey: .updatedAt)
            try container.encode(deliveredAt, forKey: .deliveredAt)
        }
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Page<Item> {
        let page = try PageQuery(request)
        let query = request.uri.queryParameters
        var errors = ValidationErrors()
        var status: Delivery.Status?
        var channel: Delivery.Channel?
        if let text = query["status"].map(String.init), !text.isEmpty {
            status = Delivery.Status(rawValue: text)
            if status == nil { errors.add("status", .oneOf(Delivery.Status.allCases.map(\.rawValue))) }
        }
        if let text = query["channel"].map(String.init), !text.isEmpty {
            channel = Delivery.Channel(rawValue: text)
            if channel == nil { errors.add("channel", .oneOf(Delivery.Channel.allCases.map(\.rawValue))) }
        }
        var before: DeliveryID?
        if let cursor = page.cursor {
            before = DeliveryID(cursor)
            if before == nil { errors.add("cursor", .cursor) }
        }
        guard errors.isEmpty else { throw APIError.validation(errors) }
        let found: [Delivery]
        do {
            found = try await deliveries.list(
                context.identity, status: status, channel: channel, before: before, limit: page.limit)
        } catch DomainError.notFound(.delivery) {
            throw APIError.validation(ValidationErrors("cursor", .cursor))
        }
        let next = found.count == page.limit ? found.last?.id.description : nil
        return Page(data: found.map(Item.init), nextCursor: next)
    }

    @Sendable func show(_ request: Request, context: AuthenticatedContext) async throws -> Item {
        let id = try context.parameters.require("deliveryID", as: DeliveryID.self)
        return Item(try await deliveries.delivery(context.identity, id))
    }

    @Sendable func retry(_ request: Request, context: AuthenticatedContext) async throws -> Item {
        let id = try context.parameters.require("deliveryID", as: DeliveryID.self)
        return Item(try await deliveries.retry(context.identity, id))
    }

    struct TestEmail: Decodable {
        var to: String?
    }

    @Sendable func testEmail(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<Item> {
        let body = try await request.decodeJSON(TestEmail.self, context: context)
        let delivery = try await deliveries.sendTest(context.identity, to: body.to, locale: context.identity.user.locale ?? .en)
        return EditedResponse(status: .accepted, response: Item(delivery))
    }
}
