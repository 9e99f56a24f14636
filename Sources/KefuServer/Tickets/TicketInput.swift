import Crypto
import Foundation
import KefuCore

/// A ticket to open, as the API, the portal form, a chat or a flow describes it.
struct NewTicket: Sendable, Codable, Equatable {
    var subject: String
    var body: String
    var requesterEmail: String?
    var requesterName: String?
    var requesterID: ContactID?
    var priority: TicketPriority = .normal
    var type: TicketType?
    var tags: [String] = []
    var teamID: TeamID?
    var assigneeID: UserID?
    var customFields: [String: String] = [:]
    var conversationID: ConversationID?
    var source: TicketSource

    /// What an idempotency key is checked against: the same key with another request is refused.
    var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = (try? encoder.encode(self)) ?? Data()
        return Secrets.hex(SHA256.hash(data: data))
    }
}

/// What an agent changes on one ticket (or many at once); nil leaves a field as it is, `.some(nil)` clears it.
struct TicketChange: Sendable, Equatable {
    var subject: String?
    var status: TicketStatus?
    var priority: TicketPriority?
    var type: TicketType??
    var tags: [String]?
    var addTags: [String] = []
    var removeTags: [String] = []
    var assigneeID: UserID??
    var teamID: TeamID??
    var customFields: [String: String]?

    var isEmpty: Bool { self == TicketChange() }
}

/// The rules every way in shares: lengths, tags, custom field values, idempotency keys.
enum TicketRules {
    static let maxSubject = 200
    static let maxBody = 20_000
    static let maxTags = 20
    static let maxCustomFields = 30

    static func subject(_ text: String) throws -> String { try Validate.name(text, field: "subject", maxLength: maxSubject) }

    static func body(_ text: String, field: String = "body") throws -> String {
        try Validate.text(text, field: field, max: maxBody)
    }

    /// Lower-cased, trimmed, 1–40 letters, digits, `-` or `_`; duplicates dropped.
    static func tags(_ tags: [String]) throws -> [String] {
        var out: [String] = []
        for raw in tags {
            let tag = raw.trimmingCharacters(in: .whitespaces).lowercased()
            let valid = (1...40).contains(tag.count) && tag.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            guard valid else { throw ValidationErrors("tags", .pattern) }
            if !out.contains(tag) { out.append(tag) }
        }
        guard out.count <= maxTags else { throw ValidationErrors("tags", .itemCount(min: 0, max: maxTags)) }
        return out.sorted()
    }

    static func customFields(_ fields: [String: String]) throws -> [String: String] {
        guard fields.count <= maxCustomFields else {
            throw ValidationErrors("custom_fields", .itemCount(min: 0, max: maxCustomFields))
        }
        for (key, value) in fields {
            let keyOK = (1...40).contains(key.count) && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            if !keyOK || value.count > 1000 || Validate.containsControlCharacters(value) {
                throw ValidationErrors("custom_fields", .pattern)
            }
        }
        return fields.filter { !$0.value.isEmpty }
    }

    /// Values of declared fields must fit their kind; undeclared keys stay free text.
    static func check(_ fields: [String: String], declared: [TicketField]) throws {
        var errors = ValidationErrors()
        for field in declared {
            guard let value = fields[field.key], !field.accepts(value) else { continue }
            let name = "custom_fields." + field.key
            switch field.kind {
            case .select: errors.add(name, .oneOf(field.options))
            case .checkbox: errors.add(name, .oneOf(["true", "false"]))
            case .number: errors.add(name, .wrongType("number"))
            case .date, .text: errors.add(name, .pattern)
            }
        }
        try errors.throwIfAny()
    }

    /// Printable ASCII, 1–255 characters (what clients send: UUIDs, random tokens).
    static func idempotencyKey(_ key: String?) throws -> String? {
        guard let key else { return nil }
        guard (1...255).contains(key.count), key.unicodeScalars.allSatisfy({ (0x21...0x7e).contains($0.value) }) else {
            throw ValidationErrors("Idempotency-Key", .pattern)
        }
        return key
    }
}
