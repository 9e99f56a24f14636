import Foundation
import KefuCore

/// A frame to a client. Absent fields are left out of the JSON.
struct OutboundFrame: Encodable, Sendable {
    /// The frame types the server sends.
    static let types = [
        "welcome", "pong", "ack", "message", "synced", "conversation", "typing", "read", "presence", "queue", "error",
        "ticket_alert",
    ]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, v, id, conversation, seq, message, state, code, detail, from, name, typing, reader, reads, user, contact
        case status
        case lastSeq = "last_seq"
        case messageID = "message_id"
        case duplicate
        case visitorToken = "visitor_token"
        case waiting, position
        case estimatedWait = "estimated_wait_s"
        case available, reason
        case opensAt = "opens_at"
        case ticket, number, metric, alert
        case dueAt = "due_at"
    }

    var type: String
    var v: Int?
    var id: String?
    var conversation: ConversationID?
    var seq: Int64?
    var lastSeq: Int64?
    var messageID: MessageID?
    var duplicate: Bool?
    var message: DTO.Message?
    var state: DTO.ConversationSummary?
    var code: String?
    var detail: String?
    var from: String?
    var name: String?
    var typing: Bool?
    var reader: String?
    var reads: [String: Int64]?
    var user: [String: String]?
    var contact: ContactID?
    var visitorToken: String?
    var status: String?
    var waiting: Bool?
    var position: Int?
    var estimatedWait: Int?
    var available: Bool?
    var reason: String?
    var opensAt: Date?
    var ticket: TicketID?
    var number: Int?
    var metric: String?
    var alert: String?
    var dueAt: Date?

    init(_ type: String) { self.type = type }

    var json: String {
        String(decoding: (try? JSONCoding.encoder.encode(self)) ?? Data(#"{"type":"error"}"#.utf8), as: UTF8.self)
    }

    static func error(_ code: String, _ detail: String, id: String? = nil) -> OutboundFrame {
        var frame = OutboundFrame("error")
        frame.code = code
        frame.detail = detail
        frame.id = id
        return frame
    }

    static func ack(_ clientID: String, _ result: AppendResult) -> OutboundFrame {
        var frame = OutboundFrame("ack")
        frame.id = clientID
        frame.conversation = result.message.conversationID
        frame.seq = result.message.seq
        frame.messageID = result.message.id
        frame.duplicate = !result.isNew
        return frame
    }

    static func message(_ message: ChatMessage, forAgent: Bool) -> OutboundFrame {
        var frame = OutboundFrame("message")
        frame.conversation = message.conversationID
        frame.seq = message.seq
        frame.message = DTO.Message(message, forAgent: forAgent)
        return frame
    }

    static func queue(_ id: ConversationID, _ standing: QueueStanding?) -> OutboundFrame {
        var frame = OutboundFrame("queue")
        frame.conversation = id
        frame.waiting = standing != nil
        frame.position = standing?.position
        frame.estimatedWait = standing?.estimatedWait
        frame.available = standing.map { $0.unavailable == nil }
        frame.reason = standing?.unavailable?.rawValue
        frame.opensAt = standing?.opensAt
        return frame
    }

    static func state(_ conversation: Conversation, contact: Contact? = nil, forAgent: Bool) -> OutboundFrame {
        var frame = OutboundFrame("conversation")
        frame.conversation = conversation.id
        frame.state = DTO.ConversationSummary(conversation, contact: contact, forAgent: forAgent)
        return frame
    }
}

/// Frames a connection may send per second, with a burst allowance: a flood gets `rate_limited` errors and is not
/// processed.
struct FrameRateLimiter {
    let perSecond: Double
    let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
        self.tokens = burst
        self.last = .now
    }

    mutating func admit(cost: Double = 1) -> Bool {
        refill()
        guard tokens >= cost else { return false }
        tokens -= cost
        return true
    }

    /// Seconds until `cost` would be admitted (0 when it would be now).
    mutating func wait(for cost: Double) -> Double {
        refill()
        return tokens >= cost ? 0 : (min(cost, burst) - tokens) / perSecond
    }

    private mutating func refill() {
        let now = ContinuousClock.Instant.now
        let elapsed = last.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(burst, tokens + seconds * perSecond)
        last = now
    }
}
