import Foundation

public typealias BusinessActionID = TypedID<BusinessAction>

/// A call to the business's own systems (query an order, file a return) that flows and agents run: an HTTP request
/// built from a URL template and the conversation's slot values, signed, and a response mapped to named values.
public struct BusinessAction: Sendable, Codable, Equatable {
    public enum Method: String, Sendable, Codable, CaseIterable {
        case GET, POST, PUT, PATCH, DELETE

        /// Retried once after a time-out or a 5xx; the others never are.
        public var isIdempotent: Bool { self == .GET || self == .PUT || self == .DELETE }
    }

    /// A header sent with every call. A secret one's value is stored encrypted and never shown again.
    public struct Header: Sendable, Codable, Equatable {
        public var name: String
        /// Plain for ordinary headers; for secret ones, the sealed box (base64) as stored.
        public var value: String
        public var secret: Bool

        public init(name: String, value: String, secret: Bool) {
            self.name = name
            self.value = value
            self.secret = secret
        }
    }

    /// A value the call needs, from the flow's slots.
    public struct Input: Sendable, Codable, Equatable {
        public var name: String
        /// A flow slot kind (`order_number`, `phone`, `email`, `date`, `amount`, `text`): the value must pass it.
        public var kind: String
        public var required: Bool

        public init(name: String, kind: String, required: Bool) {
            self.name = name
            self.kind = kind
            self.required = required
        }
    }

    public var id: BusinessActionID
    public var workspaceID: WorkspaceID
    /// What flows call it by: lower-case letters, digits and `_`.
    public var name: String
    public var method: Method
    /// `https://shop.example/api/orders/{{order_number}}`: slot values are percent-encoded into it.
    public var url: String
    public var headers: [Header]
    public var inputs: [Input]
    /// Value name → JSON path in the response (`$.order.status`, `$.items[0].name`).
    public var mapping: [String: String]
    /// The reply shown to the customer or agent with `{{value}}` placeholders, per language (`zh-CN`, `en`).
    public var reply: [String: String]
    public var timeoutMilliseconds: Int
    public var enabled: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public static let defaultTimeoutMilliseconds = 5000
    public static let maxTimeoutMilliseconds = 30_000

    public init(
        id: BusinessActionID, workspaceID: WorkspaceID, name: String, method: Method, url: String, headers: [Header],
        inputs: [Input], mapping: [String: String], reply: [String: String], timeoutMilliseconds: Int, enabled: Bool,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.method = method
        self.url = url
        self.headers = headers
        self.inputs = inputs
        self.mapping = mapping
        self.reply = reply
        self.timeoutMilliseconds = timeoutMilliseconds
        self.enabled = enabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// How a call ended, which is what a flow branches on.
public enum ActionOutcome: String, Sendable, Codable, CaseIterable {
    /// 2xx and every mapped value found.
    case found
    /// 404 from the business's system.
    case notFound = "not_found"
    /// Another 4xx/5xx, a body that is not JSON, or a mapped value missing.
    case failed
    /// Timed out, could not connect, or the target was refused.
    case unavailable
}

/// One call as logged: never the secrets, never the response body.
public struct ActionCall: Sendable, Codable, Equatable {
    public var id: UUID
    public var actionID: BusinessActionID
    public var conversationID: ConversationID?
    public var outcome: ActionOutcome
    public var statusCode: Int?
    public var durationMilliseconds: Int
    /// Why it failed, as a stable code (`timeout`, `url_not_allowed`, `not_json`, `missing_field`, `http_error`,
    /// `invalid_value` …).
    public var error: String?
    /// Host and path called (no query string: it may carry the customer's data).
    public var target: String
    public var createdAt: Date

    public init(
        id: UUID, actionID: BusinessActionID, conversationID: ConversationID?, outcome: ActionOutcome, statusCode: Int?,
        durationMilliseconds: Int, error: String?, target: String, createdAt: Date
    ) {
        self.id = id
        self.actionID = actionID
        self.conversationID = conversationID
        self.outcome = outcome
        self.statusCode = statusCode
        self.durationMilliseconds = durationMilliseconds
        self.error = error
        self.target = target
        self.createdAt = createdAt
    }
}

/// The pure parts of an action: the URL from its template, and values from a response by JSON path.
public enum ActionTemplate {
    /// Replaces `{{name}}` with the percent-encoded value (unreserved characters kept); an unknown name is empty.
    public static func url(_ template: String, values: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        return substitute(template) { name in
            (values[name] ?? "").addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        }
    }

    /// Whether the URL's path has a `.` or `..` segment (also spelled `%2e`): a value that made one would reach
    /// another resource than the template names, so such a call is refused, never sent.
    public static func hasDotSegments(_ url: String) -> Bool {
        let afterScheme = url.range(of: "://").map { url[$0.upperBound...] } ?? url[...]
        let path = afterScheme.drop { $0 != "/" }.prefix { $0 != "?" && $0 != "#" }
        return path.split(separator: "/", omittingEmptySubsequences: false).contains { segment in
            let dots = segment.lowercased().replacingOccurrences(of: "%2e", with: ".")
            return dots == "." || dots == ".."
        }
    }

    /// Whether placeholders appear only after the scheme, host and port (in the path, query or fragment): a value
    /// never chooses where the call goes, nor where its secret headers are sent.
    public static func placeholdersOnlyAfterAuthority(_ template: String) -> Bool {
        guard let firstPlaceholder = template.range(of: "{{") else { return true }
        guard let scheme = template.range(of: "://") else { return false }
        guard let pathStart = template[scheme.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" })
        else { return false }
        return pathStart < firstPlaceholder.lowerBound
    }

    /// Replaces `{{name}}` in text with the raw value.
    public static func text(_ template: String, values: [String: String]) -> String {
        substitute(template) { values[$0] ?? "" }
    }

    /// The names a template uses.
    public static func placeholders(_ template: String) -> [String] {
        var names: [String] = []
        _ = substitute(template) { name in
            names.append(name)
            return ""
        }
        return names
    }

    private static func substitute(_ template: String, _ value: (String) -> String) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            out += value(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// `$.a.b[0].c` (or `a.b[0].c`): the value as text (numbers and booleans written out); nil when absent, null,
    /// an object or an array.
    public static func value(at path: String, in json: Any) -> String? {
        var current: Any? = json
        var rest = Substring(path.hasPrefix("$") ? path.dropFirst() : Substring(path))
        while !rest.isEmpty, let node = current {
            if rest.hasPrefix(".") { rest = rest.dropFirst() }
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]),
                    let array = node as? [Any], array.indices.contains(index)
                else { return nil }
                current = array[index]
                rest = rest[rest.index(after: close)...]
                continue
            }
            let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
            let key = String(rest[..<end])
            guard !key.isEmpty, let object = node as? [String: Any] else { return nil }
            current = object[key]
            rest = rest[end...]
        }
        switch current {
        case let text as String: return text
        case let number as NSNumber:
            // JSON booleans arrive as NSNumbers of type "c" (a char), numbers never do.
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            return number.stringValue
        default: return nil
        }
    }
}
