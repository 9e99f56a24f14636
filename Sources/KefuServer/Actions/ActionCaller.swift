import AsyncHTTPClient
import Crypto
import Foundation
import KefuCore
import NIOCore
import NIOHTTP1

/// Makes one business action's HTTP call: the URL from its template and the slot values, secret headers unsealed,
/// signed with the workspace's secret, checked against the outbound guard on every hop (redirects are followed here,
/// at most 3, never by the client), timed out, retried once when idempotent, the response mapped to values.
struct ActionCaller: Sendable {
    let outbound: OutboundHTTP
    let box: SecretBox

    static let maxRedirects = 3
    static let maxResponseBytes = 1 << 20

    /// What one call gave, for the flow (outcome and values) and the call log.
    struct Result: Sendable {
        var outcome: ActionOutcome
        var values: [String: String]
        var statusCode: Int?
        var error: String?
        var target: String
        var milliseconds: Int
    }

    /// `body` replaces the JSON of the action's inputs (the SLA webhook's event).
    func call(
        _ action: BusinessAction, values: [String: String], signingSecret: String, allowlist: [String], body: Data? = nil
    ) async -> Result {
        let started = ContinuousClock.now
        var result = await attempt(action, values: values, signingSecret: signingSecret, allowlist: allowlist, body: body)
        let retriable = result.outcome == .unavailable || (result.statusCode ?? 0) >= 500
        if action.method.isIdempotent && retriable && result.error != "url_not_allowed" {
            result = await attempt(action, values: values, signingSecret: signingSecret, allowlist: allowlist, body: body)
        }
        let elapsed = ContinuousClock.now - started
        result.milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        return result
    }

    private func attempt(
        _ action: BusinessAction, values: [String: String], signingSecret: String, allowlist: [String], body given: Data?
    ) async -> Result {
        var url = ActionTemplate.url(action.url, values: values)
        // A value that would make a dot segment (`..`) points the call elsewhere: refused, never sent.
        if ActionTemplate.hasDotSegments(url) {
            return Result(outcome: .failed, values: [:], error: "invalid_value", target: Self.describe(action.url))
        }
        var method = action.method
        let body = method == .GET || method == .DELETE ? nil : given ?? Self.body(action, values: values)
        let guardrail = OutboundGuard(allowlist: allowlist, lookups: outbound.lookups)
        let timeout = TimeAmount.milliseconds(Int64(action.timeoutMilliseconds))
        var deadline: NIODeadline?
        // The log names the action's URL template, never the customer's values filled into it; later hops by host.
        var target = Self.describe(action.url)
        var origin: (scheme: String, host: String, port: Int)?
        for hop in 0...Self.maxRedirects {
            let checked: OutboundGuard.Target
            do { checked = try await guardrail.check(url) } catch {
                return Result(outcome: .unavailable, values: [:], error: "url_not_allowed", target: target)
            }
            if hop > 0 { target = Self.describe(action.url) + " → " + checked.host }
            // Never from HTTPS down to plain HTTP; secret headers only to the action's own origin.
            if let origin, origin.scheme == "https" && checked.scheme != "https" {
                return Result(outcome: .failed, values: [:], error: "insecure_redirect", target: target)
            }
            let first = origin ?? (checked.scheme, checked.host, checked.port)
            origin = first
            let sameOrigin = first == (checked.scheme, checked.host, checked.port)
            // The time-out covers the HTTP exchange, all hops together; the address check before it has its own pool.
            let hopDeadline = deadline ?? NIODeadline.now() + timeout
            deadline = hopDeadline
            let response: HTTPClientResponse
            let bytes: ByteBuffer
            do {
                let request = try request(
                    action, method: method, checked: checked, body: method == action.method ? body : nil,
                    signingSecret: signingSecret, secrets: sameOrigin)
                (response, bytes) = try await send(request, checked: checked, deadline: hopDeadline)
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
                return Result(outcome: .unavailable, values: [:], error: "timeout", target: target)
            } catch {
                return Result(outcome: .unavailable, values: [:], error: "connect_failed", target: target)
            }
            let status = Int(response.status.code)
            if [301, 302, 303, 307, 308].contains(status), let location = response.headers.first(name: "location"),
                let next = URL(string: location, relativeTo: checked.url)?.absoluteString
            {
                url = next
                if status == 303 { method = .GET }
                continue
            }
            return Self.mapped(action, status: status, body: bytes, target: target)
        }
        return Result(outcome: .failed, values: [:], statusCode: nil, error: "too_many_redirects", target: target)
    }

    private func request(
        _ action: BusinessAction, method: BusinessAction.Method, checked: OutboundGuard.Target, body: Data?,
        signingSecret: String, secrets: Bool
    ) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: checked.url.absoluteString)
        request.method = HTTPMethod(rawValue: method.rawValue)
        for header in action.headers where secrets || !header.secret {
            request.headers.replaceOrAdd(name: header.name, value: header.secret ? try box.open(header.value) : header.value)
        }
        let timestamp = String(Int(Date().timeIntervalSince1970))
        let path = checked.url.path(percentEncoded: true).isEmpty ? "/" : checked.url.path(percentEncoded: true)
        let pathAndQuery = path + (checked.url.query(percentEncoded: true).map { "?" + $0 } ?? "")
        let signed = Data("\(timestamp).\(method.rawValue).\(pathAndQuery).".utf8) + (body ?? Data())
        let signature = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(signingSecret.utf8)))
        request.headers.replaceOrAdd(name: "X-Kefu-Timestamp", value: timestamp)
        request.headers.replaceOrAdd(name: "X-Kefu-Signature", value: "v1=" + Secrets.hex(signature))
        request.headers.replaceOrAdd(name: "X-Kefu-Action", value: action.name)
        request.headers.replaceOrAdd(name: "User-Agent", value: "Kefu-Actions/1")
        if let body {
            request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        return request
    }

    /// Connects to the address the guard checked, not to a second lookup of the name: plain HTTP by address with the
    /// name in `Host`; HTTPS by name with the name pinned to that address (certificate and SNI stay the name's).
    private func send(_ request: HTTPClientRequest, checked: OutboundGuard.Target, deadline: NIODeadline) async throws
        -> (HTTPClientResponse, ByteBuffer)
    {
        var request = request
        let timeout = max(deadline - NIODeadline.now(), TimeAmount.milliseconds(1))
        if checked.url.scheme?.lowercased() == "https" {
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            configuration.timeout.read = .seconds(Int64(BusinessAction.maxTimeoutMilliseconds / 1000))
            let pinned = checked.address.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            configuration.dnsOverride = [checked.written: pinned, checked.host: pinned]
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            do {
                let response = try await client.execute(request, deadline: deadline)
                let body = try await response.body.collect(upTo: Self.maxResponseBytes)
                try await client.shutdown()
                return (response, body)
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
        var components = URLComponents(url: checked.url, resolvingAgainstBaseURL: false)
        components?.host = checked.address
        request.url = components?.string ?? request.url
        request.headers.replaceOrAdd(name: "Host", value: checked.url.port.map { "\(checked.host):\($0)" } ?? checked.host)
        let response = try await outbound.client.execute(request, timeout: timeout)
        return (response, try await response.body.collect(upTo: Self.maxResponseBytes))
    }

    static func body(_ action: BusinessAction, values: [String: String]) -> Data {
        var object: [String: String] = [:]
        for input in action.inputs { object[input.name] = values[input.name] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(object)) ?? Data("{}".utf8)
    }

    static func mapped(_ action: BusinessAction, status: Int, body: ByteBuffer, target: String) -> Result {
        guard (200..<300).contains(status) else {
            return Result(
                outcome: status == 404 ? .notFound : .failed, values: [:], statusCode: status,
                error: status == 404 ? nil : "http_error", target: target)
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed]) else {
            return Result(outcome: .failed, values: [:], statusCode: status, error: "not_json", target: target)
        }
        var values: [String: String] = [:]
        for (name, path) in action.mapping {
            guard let value = ActionTemplate.value(at: path, in: json) else {
                return Result(outcome: .failed, values: [:], statusCode: status, error: "missing_field", target: target)
            }
            values[name] = value
        }
        return Result(outcome: .found, values: values, statusCode: status, error: nil, target: target)
    }

    /// Host and path: the log keeps no query string (it may carry the customer's data).
    static func describe(_ url: String) -> String {
        let withoutScheme = url.range(of: "://").map { String(url[$0.upperBound...]) } ?? url
        return String(withoutScheme.prefix { $0 != "?" && $0 != "#" }.prefix(300))
    }
}

extension ActionCaller.Result {
    init(outcome: ActionOutcome, values: [String: String], statusCode: Int? = nil, error: String?, target: String) {
        self.init(outcome: outcome, values: values, statusCode: statusCode, error: error, target: target, milliseconds: 0)
    }
}
