import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The load tool's HTTP side: JSON requests to the public API, as any outside client makes them.
struct BenchHTTP: Sendable {
    let client: HTTPClient
    let base: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func call(_ method: HTTPMethod, _ path: String, token: String? = nil, json: [String: Any]? = nil) async throws -> Any {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw Failure(description: "\(method) \(path): \(response.status.code) \(String(buffer: body))")
        }
        if body.readableBytes == 0 { return [String: Any]() }
        return try JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed])
    }

    func object(_ method: HTTPMethod, _ path: String, token: String? = nil, json: [String: Any]? = nil) async throws
        -> [String: Any]
    {
        guard let object = try await call(method, path, token: token, json: json) as? [String: Any] else {
            throw Failure(description: "\(method) \(path): not a JSON object")
        }
        return object
    }

    /// Signs the owner in: their bearer token and the workspace's public widget key.
    func owner(email: String, password: String) async throws -> (token: String, widgetKey: String) {
        let owner = try await object(.POST, "/api/v1/auth/token", json: ["email": email, "password": password])
        guard let token = owner["token"] as? String else { throw Failure(description: "no owner token") }
        let workspace = try await object(.GET, "/api/v1/workspace", token: token)
        guard let key = workspace["widget_key"] as? String else { throw Failure(description: "no widget key") }
        return (token, key)
    }

    /// `ws://` or `wss://` and the host of the server.
    var socketBase: String { (base.hasPrefix("https") ? "wss" : "ws") + base.drop { $0 != ":" } }

    /// The server's resident memory from its Prometheus metrics, in bytes.
    func residentBytes() async -> Double? {
        var request = HTTPClientRequest(url: base + "/metrics")
        request.method = .GET
        guard let response = try? await client.execute(request, timeout: .seconds(5)),
            let body = try? await response.body.collect(upTo: 4 << 20)
        else { return nil }
        for line in String(buffer: body).split(separator: "\n") where line.hasPrefix("process_resident_memory_bytes ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }
}
