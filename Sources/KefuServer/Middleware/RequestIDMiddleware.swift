import Foundation
import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    // Literal, valid header names: the initializer cannot fail for them.
    // swift-format-ignore: NeverForceUnwrap
    static let requestID = Self("X-Request-Id")!
    // swift-format-ignore: NeverForceUnwrap
    static let forwardedFor = Self("X-Forwarded-For")!
    // swift-format-ignore: NeverForceUnwrap
    static let forwardedProto = Self("X-Forwarded-Proto")!
}

/// Echoes a sane incoming `X-Request-Id` or makes one, puts it in the request's log metadata and the response.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        let incoming = request.headers[.requestID].flatMap { Self.isSane($0) ? $0 : nil }
        let id = incoming ?? UUID().uuidString.lowercased()
        var context = context
        context.logger[metadataKey: "request.id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }

    static func isSane(_ value: String) -> Bool {
        (1...64).contains(value.count)
            && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }
}

/// Behind a trusted load balancer, takes the client address it reports (the last `X-Forwarded-For` hop).
struct ForwardedClientMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var context = context
        if let header = request.headers[.forwardedFor],
            let last = header.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        {
            context.clientIP = last
        }
        return try await next(request, context)
    }
}
