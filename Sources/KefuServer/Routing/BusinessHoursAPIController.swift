import Foundation
import Hummingbird
import KefuCore

/// Business hours, the outbox of replies waiting for e-mail, and (tests only) the clock business hours run on.
struct BusinessHoursAPIController {
    let hours: BusinessHoursService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.businessHours, .viewWorkspace, use: get)
        routes.on(.put, APIPath.businessHours, .updateWorkspace, use: set)
        routes.on(.get, APIPath.outbox, .viewAllConversations, use: outbox)
        routes.on(.get, APIPath.testClock, .updateWorkspace, use: clock)
        routes.on(.put, APIPath.testClock, .updateWorkspace, use: setClock)
    }

    struct Span: Codable {
        var day: Weekday
        var open: String
        var close: String
    }

    struct Hours: Codable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case enabled, weekly, holidays
            case timeZone = "time_zone"
            case openNow = "open_now"
            case nextOpening = "next_opening"
        }

        var enabled: Bool
        var timeZone: String
        var weekly: [Span]
        var holidays: [Holiday]
        /// Answers only: whether the business is open at this moment, and when it opens next (absent if never).
        var openNow: Bool?
        var nextOpening: Date?

        init(_ hours: BusinessHours, now: Date) {
            enabled = hours.enabled
            timeZone = hours.timeZone
            weekly = hours.spans.map { Span(day: $0.day, open: OpeningSpan.text($0.open), close: OpeningSpan.text($0.close)) }
            holidays = hours.holidays
            openNow = hours.isOpen(at: now)
            nextOpening = hours.nextOpening(after: now)
        }

        func record() throws -> BusinessHours {
            var errors = ValidationErrors()
            let spans = weekly.compactMap { span -> OpeningSpan? in
                guard let open = OpeningSpan.minutes(span.open), let close = OpeningSpan.minutes(span.close) else {
                    errors.add("weekly", .pattern)
                    return nil
                }
                return OpeningSpan(day: span.day, open: open, close: close)
            }
            try errors.throwIfAny()
            return BusinessHours(enabled: enabled, timeZone: timeZone, spans: spans, holidays: holidays)
        }
    }

    @Sendable func get(_ request: Request, context: AuthenticatedContext) async throws -> Hours {
        Hours(try await hours.hours(context.identity), now: hours.now.date)
    }

    @Sendable func set(_ request: Request, context: AuthenticatedContext) async throws -> Hours {
        let body = try await request.decodeJSON(Hours.self, context: context)
        let saved = try await hours.setHours(context.identity, try body.record(), ip: context.clientIP)
        return Hours(saved, now: hours.now.date)
    }

    struct Entry: Encodable {
        enum CodingKeys: String, CodingKey {
            case id, channel, recipient, subject, body, status, attempts
            case conversationID = "conversation_id"
            case messageID = "message_id"
            case ticketID = "ticket_id"
            case createdAt = "created_at"
            case sentAt = "sent_at"
        }

        var id: DeliveryID
        var channel: String
        var recipient: String
        var subject: String
        var body: String
        var conversationID: ConversationID?
        var messageID: MessageID?
        var ticketID: TicketID?
        var status: String
        var attempts: Int
        var createdAt: Date
        var sentAt: Date?

        init(_ entry: Delivery) {
            id = entry.id
            channel = entry.channel.rawValue
            recipient = entry.target
            subject = entry.subject
            body = entry.body
            conversationID = entry.conversationID
            messageID = entry.messageID
            ticketID = entry.ticketID
            status = BusinessHoursService.outboxStatus(entry.status)
            attempts = entry.attempts
            createdAt = entry.createdAt
            sentAt = entry.deliveredAt
        }
    }

    struct Outbox: ResponseEncodable {
        var entries: [Entry]
    }

    @Sendable func outbox(_ request: Request, context: AuthenticatedContext) async throws -> Outbox {
        let query = request.uri.queryParameters
        let entries = try await hours.outbox(
            context.identity, status: query.get("status").flatMap { ["pending", "sent", "failed"].contains($0) ? $0 : nil },
            conversation: query.get("conversation").flatMap(ConversationID.init),
            limit: query.get("limit").flatMap(Int.init) ?? 50)
        return Outbox(entries: entries.map(Entry.init))
    }

    struct Clock: Codable, ResponseEncodable {
        var now: Date
        var adjustable: Bool?
    }

    @Sendable func clock(_ request: Request, context: AuthenticatedContext) async throws -> Clock {
        let now = hours.now
        return Clock(now: now.date, adjustable: now.adjustable)
    }

    @Sendable func setClock(_ request: Request, context: AuthenticatedContext) async throws -> Clock {
        let body = try await request.decodeJSON(Clock.self, context: context)
        return Clock(now: try await hours.setTestClock(body.now), adjustable: true)
    }
}
