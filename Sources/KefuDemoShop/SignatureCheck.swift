import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// What a business puts in front of its endpoints: `X-Kefu-Signature: v1=<hex>` must be the HMAC-SHA256, keyed with
/// the workspace's signing secret, of `<X-Kefu-Timestamp>.<METHOD>.<path and query>.<body>`, and the timestamp within
/// five minutes. `/health` stays open.
struct SignatureCheck: RouterMiddleware {
    typealias Context = BasicRequestContext
    let secret: @Sendable () async -> String?

    static let tolerance: TimeInterval = 300
    // swift-format-ignore: NeverForceUnwrap
    static let timestampHeader = HTTPField.Name("X-Kefu-Timestamp")!
    // swift-format-ignore: NeverForceUnwrap
    static let signatureHeader = HTTPField.Name("X-Kefu-Signature")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.uri.path != "/health", let secret = await secret() else { return try await next(request, context) }
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        guard let timestamp = request.headers[Self.timestampHeader], let seconds = TimeInterval(timestamp),
            abs(Date().timeIntervalSince1970 - seconds) <= Self.tolerance,
            let given = request.headers[Self.signatureHeader]
        else { throw HTTPError(.unauthorized, message: "missing or stale signature") }
        let signed = Data("\(timestamp).\(request.method.rawValue).\(request.uri.description).".utf8) + Data(buffer: body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        let expected = "v1=" + mac.map { String(format: "%02x", $0) }.joined()
        guard Self.same(expected, given) else { throw HTTPError(.unauthorized, message: "bad signature") }
        return try await next(request, context)
    }

    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
