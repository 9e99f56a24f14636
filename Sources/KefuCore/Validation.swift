import Foundation

/// Field-level validation failures, keyed by field name; empty means valid.
public struct ValidationErrors: Error, Sendable, Equatable {
    public private(set) var fields: [String: String] = [:]

    public init() {}

    public var isEmpty: Bool { fields.isEmpty }

    public mutating func add(_ field: String, _ message: String) {
        if fields[field] == nil { fields[field] = message }
    }

    /// Throws self when any field failed.
    public func throwIfAny() throws {
        if !isEmpty { throw self }
    }
}

/// Small, dependency-free checks shared by the API and the CLI.
public enum Validate {
    /// A practical e-mail check: one @, a non-empty local part, a dotted domain, no spaces, at most 254 chars.
    public static func email(_ value: String) -> Bool {
        guard value.count <= 254, !value.contains(where: \.isWhitespace) else { return false }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].count >= 3 else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }

    /// Lower-case ASCII letters, digits and single dashes, 2–48 chars, not starting or ending with a dash.
    public static func slug(_ value: String) -> Bool {
        guard (2...48).contains(value.count), !value.hasPrefix("-"), !value.hasSuffix("-"), !value.contains("--") else {
            return false
        }
        return value.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }

    /// Passwords: 10 to 200 characters (bcrypt reads only 72 bytes, the rest still has to match exactly).
    public static let passwordLength = 10...200

    public static func password(_ value: String) -> Bool { passwordLength.contains(value.count) }

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
