import Foundation
import KefuCore

/// The part of JSON Schema 2020-12 that Kefu's API document uses, compiled once and checked against values.
/// Anything the document uses that this does not understand is an error at start, never silently ignored.
public indirect enum JSONSchema: Sendable {
    case any
    case node(Node)

    public struct Node: Sendable {
        var types: Set<String>?
        var properties: [String: JSONSchema] = [:]
        var required: [String] = []
        /// nil: any further property is allowed.
        var additionalProperties: JSONSchema?
        var forbidsAdditionalProperties = false
        var items: JSONSchema?
        var enumValues: [JSONValue]?
        var minLength: Int?
        var maxLength: Int?
        var minItems: Int?
        var maxItems: Int?
        var maxProperties: Int?
        var minProperties: Int?
        /// Checked against each member name of an object.
        var propertyNames: JSONSchema?
        var pattern: NSRegularExpression?
        var format: String?
        var minimum: Double?
        var maximum: Double?
    }

    /// Keywords that only describe and never constrain.
    static let annotations: Set<String> = [
        "description", "summary", "title", "examples", "example", "default", "deprecated", "readOnly", "writeOnly",
    ]

    public enum CompileError: Error, CustomStringConvertible {
        case unsupported(keyword: String, at: String)
        case badReference(String)
        case malformed(String)

        public var description: String {
            switch self {
            case .unsupported(let keyword, let at): "unsupported JSON Schema keyword \(keyword) at \(at)"
            case .badReference(let ref): "unresolvable $ref \(ref)"
            case .malformed(let at): "malformed schema at \(at)"
            }
        }
    }

    /// Compiles `value`, resolving `$ref`s of the form `#/components/schemas/Name` against `document`.
    static func compile(_ value: JSONValue, document: JSONValue, at location: String = "#") throws -> JSONSchema {
        guard case .object(var members) = value else { throw CompileError.malformed(location) }
        for key in annotations { members[key] = nil }
        if let ref = members["$ref"]?.stringValue {
            guard members.count == 1 else { throw CompileError.unsupported(keyword: "keywords beside $ref", at: location) }
            var target: JSONValue? = document
            for part in ref.dropFirst(2).split(separator: "/") { target = target?[String(part)] }
            guard ref.hasPrefix("#/"), let target else { throw CompileError.badReference(ref) }
            return try compile(target, document: document, at: ref)
        }
        if members.isEmpty { return .any }
        var node = Node()
        for (key, keyValue) in members {
            let here = location + "/" + key
            switch (key, keyValue) {
            case ("type", .string(let type)): node.types = [type]
            case ("type", .array(let types)) where types.allSatisfy({ $0.stringValue != nil }):
                node.types = Set(types.compactMap(\.stringValue))
            case ("properties", .object(let properties)):
                node.properties = try properties.mapValues { try compile($0, document: document, at: here) }
            case ("required", .array(let names)): node.required = names.compactMap(\.stringValue)
            case ("additionalProperties", .bool(let allowed)): node.forbidsAdditionalProperties = !allowed
            case ("additionalProperties", .object):
                node.additionalProperties = try compile(keyValue, document: document, at: here)
            case ("items", .object): node.items = try compile(keyValue, document: document, at: here)
            case ("enum", .array(let values)): node.enumValues = values
            case ("const", _): node.enumValues = [keyValue]
            case ("minLength", .number(let n)): node.minLength = Int(n)
            case ("maxLength", .number(let n)): node.maxLength = Int(n)
            case ("minItems", .number(let n)): node.minItems = Int(n)
            case ("maxItems", .number(let n)): node.maxItems = Int(n)
            case ("maxProperties", .number(let n)): node.maxProperties = Int(n)
            case ("minProperties", .number(let n)): node.minProperties = Int(n)
            case ("propertyNames", .object): node.propertyNames = try compile(keyValue, document: document, at: here)
            case ("pattern", .string(let pattern)):
                node.pattern = try NSRegularExpression(pattern: Self.strictEnd(pattern))
            case ("format", .string(let format)) where ["email", "uuid", "date-time"].contains(format): node.format = format
            case ("minimum", .number(let n)): node.minimum = n
            case ("maximum", .number(let n)): node.maximum = n
            default: throw CompileError.unsupported(keyword: key, at: here)
            }
        }
        return .node(node)
    }

    /// Every violation in `value`, each with the dotted path of its field (`""` for the value itself).
    public func violations(of value: JSONValue, at path: String = "") -> [(field: String, issue: ValidationIssue)] {
        guard case .node(let node) = self else { return [] }
        if let types = node.types, !value.typeNames.contains(where: types.contains) {
            if case .null = value { return [(path, .notNull)] }
            return [(path, .wrongType(types.sorted().joined(separator: " or ")))]
        }
        if let allowed = node.enumValues, !allowed.contains(value) {
            return [(path, .oneOf(allowed.map { $0.stringValue ?? "\($0)" }))]
        }
        var found: [(String, ValidationIssue)] = []
        switch value {
        case .string(let text):
            let length = text.unicodeScalars.count
            if length < (node.minLength ?? 0) || length > (node.maxLength ?? Int.max) {
                found.append((path, .length(min: node.minLength ?? 0, max: node.maxLength ?? Int.max)))
            } else if let pattern = node.pattern,
                pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil
            {
                found.append((path, .pattern))
            } else if let format = node.format, let issue = Self.formatIssue(format, text) {
                found.append((path, issue))
            }
        case .number(let number):
            if number < (node.minimum ?? -.infinity) || number > (node.maximum ?? .infinity) {
                found.append((path, .number(min: node.minimum, max: node.maximum)))
            }
        case .array(let elements):
            if elements.count < (node.minItems ?? 0) || elements.count > (node.maxItems ?? Int.max) {
                found.append((path, .itemCount(min: node.minItems ?? 0, max: node.maxItems ?? Int.max)))
            }
            if let items = node.items {
                for (index, element) in elements.enumerated() {
                    found += items.violations(of: element, at: Self.join(path, "\(index)"))
                }
            }
        case .object(let members):
            for name in node.required where members[name] == nil { found.append((Self.join(path, name), .required)) }
            if let most = node.maxProperties, members.count > most { found.append((path, .itemCount(min: 0, max: most))) }
            if let least = node.minProperties, members.count < least {
                found.append((path, .itemCount(min: least, max: node.maxProperties ?? Int.max)))
            }
            if let names = node.propertyNames {
                for name in members.keys.sorted() where !names.violations(of: .string(name), at: path).isEmpty {
                    found.append((Self.join(path, name), .pattern))
                }
            }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let schema = node.properties[name] {
                    found += schema.violations(of: member, at: Self.join(path, name))
                } else if let additional = node.additionalProperties {
                    found += additional.violations(of: member, at: Self.join(path, name))
                } else if node.forbidsAdditionalProperties {
                    found.append((Self.join(path, name), .unexpectedField))
                }
            }
        case .null, .bool:
            break
        }
        return found
    }

    /// ICU's `$` also matches before a final newline, ECMA-262's does not: make each unescaped `$` the very end.
    static func strictEnd(_ pattern: String) -> String {
        var out = ""
        var escaped = false
        for character in pattern {
            if character == "$" && !escaped { out += "\\z" } else { out.append(character) }
            escaped = character == "\\" && !escaped
        }
        return out
    }

    static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : path + "." + name }

    static func formatIssue(_ format: String, _ text: String) -> ValidationIssue? {
        switch format {
        case "email": Validate.email(text) ? nil : .email
        case "uuid": UUID(uuidString: text) == nil ? .uuid : nil
        case "date-time": RFC3339.parse(text) == nil ? .dateTime : nil
        default: nil
        }
    }
}
