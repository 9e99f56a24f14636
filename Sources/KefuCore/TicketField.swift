import Foundation

public typealias TicketFieldID = TypedID<TicketField>

/// A custom field the workspace declares for its tickets: its key (what the API and flows use), its name on the
/// agents' pages, and the kind of value it takes. Values for keys nobody declared are kept as free text.
public struct TicketField: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case text, number, date, select, checkbox
    }

    public var id: TicketFieldID
    public var workspaceID: WorkspaceID
    public var key: String
    public var name: String
    public var kind: Kind
    /// The choices of a `select`.
    public var options: [String]
    public var position: Int
    public var createdAt: Date

    public init(
        id: TicketFieldID, workspaceID: WorkspaceID, key: String, name: String, kind: Kind, options: [String], position: Int,
        createdAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.key = key
        self.name = name
        self.kind = kind
        self.options = options
        self.position = position
        self.createdAt = createdAt
    }

    /// 1–40 lower-case ASCII letters, digits or `_`, starting with a letter.
    public static func isValidKey(_ key: String) -> Bool {
        (1...40).contains(key.count) && key.first?.isLetter == true
            && key.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
    }

    /// Whether `value` fits this field: a number, a `YYYY-MM-DD` date that exists, one of the options, `true`/`false`.
    /// An empty value clears the field and always fits.
    public func accepts(_ value: String) -> Bool {
        guard !value.isEmpty else { return true }
        switch kind {
        case .text: return true
        case .number: return Double(value).map { $0.isFinite } ?? false
        case .date: return Self.isDate(value)
        case .select: return options.contains(value)
        case .checkbox: return value == "true" || value == "false"
        }
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2]), parts[0].count == 4
        else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components) else { return false }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        return back.year == year && back.month == month && back.day == day
    }
}
