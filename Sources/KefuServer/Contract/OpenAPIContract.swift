import Foundation
import HTTPTypes
import KefuCore

/// The API document, compiled: the one source of what each operation accepts and answers. Requests are checked
/// against it before their handler runs (`ContractValidationMiddleware`); the tests check every response against it.
public struct OpenAPIContract: Sendable {
    /// One documented operation.
    public struct Operation: Sendable {
        public struct Parameter: Sendable {
            var name: String
            var location: String
            var required: Bool
            var schema: JSONSchema
        }

        public var method: HTTPRequest.Method
        /// The path as the document writes it, `{param}` for parameters.
        public var path: String
        public var permission: String?
        var parameters: [Parameter]
        var body: JSONSchema?
        var bodyRequired: Bool
        /// Status code (or `default`) → the JSON schema of the body, nil when the response has no JSON body.
        var responses: [String: JSONSchema?]
    }

    public let operations: [Operation]
    /// The served document, byte for byte.
    public let document: Data

    public enum LoadError: Error, CustomStringConvertible {
        case notJSON
        case invalid(String)

        public var description: String {
            switch self {
            case .notJSON: "the API document is not JSON"
            case .invalid(let reason): "the API document is invalid: \(reason)"
            }
        }
    }

    public init(document data: Data) throws {
        guard let document = JSONValue.parse(data), case .object(let paths)? = document["paths"] else {
            throw LoadError.notJSON
        }
        var operations: [Operation] = []
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            guard case .object(let methods) = item else { throw LoadError.invalid(path) }
            for (method, operation) in methods.sorted(by: { $0.key < $1.key }) {
                guard let parsed = HTTPRequest.Method(method.uppercased()) else { throw LoadError.invalid("\(method) \(path)") }
                operations.append(try Self.compile(operation, method: parsed, path: path, document: document))
            }
        }
        self.operations = operations
        self.document = data
    }

    private static func compile(_ operation: JSONValue, method: HTTPRequest.Method, path: String, document: JSONValue) throws
        -> Operation
    {
        var parameters: [Operation.Parameter] = []
        if case .array(let list)? = operation["parameters"] {
            for parameter in list {
                guard let name = parameter["name"]?.stringValue, let location = parameter["in"]?.stringValue,
                    let schema = parameter["schema"]
                else { throw LoadError.invalid("a parameter of \(method) \(path)") }
                parameters.append(
                    .init(
                        name: name, location: location, required: parameter["required"] == .bool(true),
                        schema: try JSONSchema.compile(schema, document: document)))
            }
        }
        var body: JSONSchema?
        if let schema = operation["requestBody"]?["content"]?["application/json"]?["schema"] {
            body = try JSONSchema.compile(schema, document: document)
        }
        var responses: [String: JSONSchema?] = [:]
        if case .object(let documented)? = operation["responses"] {
            for (status, response) in documented {
                var resolved = response
                if let ref = response["$ref"]?.stringValue {
                    var target: JSONValue? = document
                    for part in ref.dropFirst(2).split(separator: "/") { target = target?[String(part)] }
                    guard let target else { throw JSONSchema.CompileError.badReference(ref) }
                    resolved = target
                }
                let schema: JSONValue? = resolved["content"]?["application/json"]?["schema"]
                // `updateValue`: assigning a nil schema through the subscript would remove the status.
                responses.updateValue(try schema.map { try JSONSchema.compile($0, document: document) }, forKey: status)
            }
        }
        return Operation(
            method: method, path: path, permission: operation["x-kefu-permission"]?.stringValue, parameters: parameters,
            body: body, bodyRequired: operation["requestBody"]?["required"] == .bool(true), responses: responses)
    }

    /// The operation for a route as the router spells it (`:param`).
    public func operation(_ method: HTTPRequest.Method, routePath: String) -> Operation? {
        let documented = OpenAPIContract.documentPath(routePath)
        return operations.first { $0.method == method && $0.path == documented }
    }

    /// The operation that a concrete request path matches.
    public func operation(_ method: HTTPRequest.Method, concretePath: String) -> Operation? {
        operations.first { $0.method == method && Self.matches(template: $0.path, concretePath) }
    }

    /// `/api/v1/members/:userID` → `/api/v1/members/{userID}`.
    public static func documentPath(_ routePath: String) -> String {
        routePath.split(separator: "/", omittingEmptySubsequences: false).map {
            $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0)
        }.joined(separator: "/")
    }

    static func matches(template: String, _ path: String) -> Bool {
        let want = template.split(separator: "/", omittingEmptySubsequences: false)
        let have = path.split(separator: "/", omittingEmptySubsequences: false)
        guard want.count == have.count else { return false }
        return zip(want, have).allSatisfy { pattern, part in
            (pattern.hasPrefix("{") || pattern.hasPrefix(":")) ? !part.isEmpty : pattern == part
        }
    }
}

extension OpenAPIContract.Operation {
    /// What is wrong with a request's query, path and header parameters, by parameter name.
    func parameterErrors(query: [String: String], path: [String: String], header: (String) -> String? = { _ in nil })
        -> ValidationErrors
    {
        var errors = ValidationErrors()
        for parameter in parameters {
            let raw: String? =
                switch parameter.location {
                case "path": path[parameter.name]
                case "header": header(parameter.name)
                default: query[parameter.name]
                }
            guard let raw else {
                if parameter.required { errors.add(parameter.name, .required) }
                continue
            }
            for (_, issue) in parameter.schema.violations(of: Self.coerce(raw, for: parameter.schema)) {
                errors.add(parameter.name, issue)
            }
        }
        return errors
    }

    /// Parameters arrive as text: read a number where the schema wants one.
    private static func coerce(_ raw: String, for schema: JSONSchema) -> JSONValue {
        guard case .node(let node) = schema, let types = node.types else { return .string(raw) }
        if types.contains("integer"), let number = Int(raw) { return .number(Double(number)) }
        if types.contains("number"), let number = Double(raw), raw.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "." }) {
            return .number(number)
        }
        if types.contains("boolean"), raw == "true" || raw == "false" { return .bool(raw == "true") }
        return .string(raw)
    }

    /// What is wrong with a JSON request body, by field path.
    func bodyErrors(_ body: JSONValue) -> ValidationErrors {
        var errors = ValidationErrors()
        for (field, issue) in body.violations(of: self.body) { errors.add(field.isEmpty ? "body" : field, issue) }
        return errors
    }

    /// Problems of a response against the document, empty when it conforms.
    public func responseProblems(status: Int, contentType: String?, body: Data) -> [String] {
        let key = responses.keys.contains("\(status)") ? "\(status)" : "default"
        guard let documented = responses[key] else {
            return ["\(method) \(path): status \(status) is not documented"]
        }
        guard let schema = documented else { return [] }
        guard contentType?.lowercased().hasPrefix("application/json") == true else {
            return ["\(method) \(path) \(status): content type \(contentType ?? "none") is not application/json"]
        }
        guard let value = JSONValue.parse(body) else { return ["\(method) \(path) \(status): body is not JSON"] }
        return schema.violations(of: value).map {
            "\(method) \(path) \(status): \($0.field.isEmpty ? "body" : $0.field) \($0.issue.english)"
        }
    }
}

extension JSONValue {
    fileprivate func violations(of schema: JSONSchema?) -> [(field: String, issue: ValidationIssue)] {
        schema?.violations(of: self) ?? []
    }
}
