import Foundation

/// Why one field is invalid. A kind, not a sentence: the server words it in the reader's language.
public enum ValidationIssue: Sendable, Equatable {
    case required
    case notNull
    case wrongType(String)
    case unexpectedField
    /// A length in characters outside `min...max`.
    case length(min: Int, max: Int)
    case oneOf([String])
    case email
    case uuid
    case dateTime
    /// Blank, or holding control characters.
    case text
    /// Does not match the pattern the API document states for the field.
    case pattern
    case number(min: Double?, max: Double?)
    case cursor
    case password
    /// Only white space, or one of the most common passwords.
    case weakPassword
    /// An intent with fewer training phrases than training needs.
    case tooFewPhrases(min: Int)
    /// Fewer intents than a classifier needs.
    case tooFewIntents(min: Int)
    /// A value that names something that does not exist (a category, an intent).
    case unknownReference
    /// Appears twice where it must be unique.
    case duplicate
    /// A list with fewer or more entries than allowed.
    case itemCount(min: Int, max: Int)
    /// Holds a word the workspace's sensitive-word list blocks in agents' messages.
    case blockedWord(String)
    /// An address outgoing calls may not reach: loopback, private, link-local, metadata, or not http(s).
    case urlNotAllowed
    /// Not an e-mail server's URL Kefu can use (`smtp://user:password@host:587`, `smtps://…`).
    case smtpURL

    /// The English wording, for logs and the CLI.
    public var english: String {
        switch self {
        case .required: "is required"
        case .notNull: "must not be null"
        case .wrongType(let type): "must be of type \(type)"
        case .unexpectedField: "is not a known field"
        case .length(let min, let max): "\(min) to \(max) characters"
        case .oneOf(let values): "one of: " + values.joined(separator: ", ")
        case .email: "not a valid e-mail address"
        case .uuid: "not a valid id"
        case .dateTime: "not an ISO-8601 date and time"
        case .text: "must contain visible characters and no control characters"
        case .pattern: "does not match the pattern in the API document"
        case .number(let min, let max): "a number from \(min.map { "\($0)" } ?? "any") to \(max.map { "\($0)" } ?? "any")"
        case .cursor: "not a cursor from a previous page"
        case .password: "\(Validate.passwordLength.lowerBound) to \(Validate.passwordLength.upperBound) characters"
        case .weakPassword: "is blank or too common; choose another"
        case .tooFewPhrases(let min): "needs at least \(min) training phrases"
        case .tooFewIntents(let min): "training needs at least \(min) intents with phrases"
        case .unknownReference: "names something that does not exist"
        case .duplicate: "appears more than once"
        case .itemCount(let min, let max): "\(min) to \(max) entries"
        case .blockedWord(let word): "contains a blocked word: \(word)"
        case .urlNotAllowed: "is a private, loopback, link-local or metadata address that is not allow-listed"
        case .smtpURL: "must be smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465"
        }
    }
}

/// Field-level validation failures, keyed by field name; empty means valid.
public struct ValidationErrors: Error, Sendable, Equatable {
    public private(set) var issues: [String: ValidationIssue] = [:]

    public init() {}

    public init(_ field: String, _ issue: ValidationIssue) {
        issues[field] = issue
    }

    public var isEmpty: Bool { issues.isEmpty }

    /// The first issue recorded for a field wins.
    public mutating func add(_ field: String, _ issue: ValidationIssue) {
        if issues[field] == nil { issues[field] = issue }
    }

    /// Field → English message.
    public var fields: [String: String] { issues.mapValues(\.english) }

    /// Throws self when any field failed.
    public func throwIfAny() throws {
        if !isEmpty { throw self }
    }
}

/// Small, dependency-free checks shared by the API and the CLI.
public enum Validate {
    /// Whether the text is an e-mail address, as `EmailAddress` parses it.
    public static func email(_ value: String) -> Bool { EmailAddress(value) != nil }

    /// Lower-case ASCII letters, digits and single dashes, 2–48 chars, not starting or ending with a dash.
    public static func slug(_ value: String) -> Bool {
        guard (2...48).contains(value.count), !value.hasPrefix("-"), !value.hasSuffix("-"), !value.contains("--") else {
            return false
        }
        return value.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }

    /// Passwords: 10 to 200 characters (bcrypt reads only 72 bytes, the rest still has to match exactly).
    public static let passwordLength = 10...200

    public static func password(_ value: String) -> Bool { passwordIssue(value) == nil }

    /// Why a new password is refused, if it is: its length, or being blank or one of the most common passwords.
    public static func passwordIssue(_ value: String) -> ValidationIssue? {
        guard passwordLength.contains(value.count) else { return .password }
        if value.allSatisfy(\.isWhitespace) || CommonPasswords.all.contains(value.lowercased()) { return .weakPassword }
        return nil
    }

    /// Names people type (workspace, team, token, person): trimmed, 1 to `maxLength` characters, at least one
    /// visible character and no control characters. The API document states the same rule as a pattern.
    /// Returns the trimmed name or throws the field's issue. The API document's `Name` pattern states the same rule
    /// with the same two character sets, so the API and the pages refuse exactly the same names.
    public static func name(_ value: String, field: String, maxLength: Int = 100) throws -> String {
        guard !containsControlCharacters(value) else { throw ValidationErrors(field, .text) }
        let trimmed = value.trimmingCharacters(in: blank)
        guard !trimmed.isEmpty else { throw ValidationErrors(field, .text) }
        guard trimmed.unicodeScalars.count <= maxLength else { throw ValidationErrors(field, .length(min: 1, max: maxLength)) }
        return trimmed
    }

    /// Multi-line text (an answer, a question): trimmed, not blank, at most `max` characters, no control characters
    /// other than line breaks and tabs.
    public static func text(_ value: String, field: String, max: Int) throws -> String {
        let controls = value.unicodeScalars.contains { scalar in
            scalar != "\n" && scalar != "\r" && scalar != "\t" && containsControlCharacters(String(scalar))
        }
        guard !controls else { throw ValidationErrors(field, .text) }
        let trimmed = value.trimmingCharacters(in: blank.union(.whitespacesAndNewlines))
        guard !trimmed.isEmpty else { throw ValidationErrors(field, .text) }
        guard trimmed.unicodeScalars.count <= max else { throw ValidationErrors(field, .length(min: 1, max: max)) }
        return trimmed
    }

    /// C0 and C1 controls, DEL, and the bidirectional embedding, override and isolate controls (which can make a
    /// name read differently from what it is).
    public static func containsControlCharacters(_ value: String) -> Bool {
        value.unicodeScalars.contains { scalar in
            let v = scalar.value
            return v < 0x20 || (0x7f...0x9f).contains(v) || (0x202a...0x202e).contains(v) || (0x2066...0x2069).contains(v)
        }
    }

    /// White space that does not count as a visible character.
    static let blank: CharacterSet = {
        var set = CharacterSet(charactersIn: " \u{A0}\u{1680}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}")
        set.insert(charactersIn: "\u{2000}"..."\u{200A}")
        return set
    }()

    /// Normalises an e-mail address for storage and lookup.
    public static func normalizedEmail(_ value: String) -> String {
        value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// Derives a URL slug from a display name: ASCII letters and digits kept, the rest folded to dashes.
    public static func slugify(_ name: String) -> String {
        var out = ""
        for ch in name.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) {
                out.append(ch)
            } else if !out.hasSuffix("-") && !out.isEmpty {
                out.append("-")
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        if out.count > 48 { out = String(out.prefix(48)) }
        while out.hasSuffix("-") { out.removeLast() }
        return out.count >= 2 ? out : "workspace"
    }
}
