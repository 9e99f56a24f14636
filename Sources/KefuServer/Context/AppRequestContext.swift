import Foundation
import Hummingbird
import KefuCore
import NIOCore

/// The request context of every route: who is calling (if known), from where, and the JSON conventions.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Identity?
    /// The peer address; replaced by the proxy-reported client when the proxy is trusted.
    public var clientIP: String?
    public var maxUploadSize: Int = 1_048_576

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientIP = source.channel.remoteAddress?.ipAddress
    }

    public var requestDecoder: JSONDecoder { JSONCoding.decoder }
    public var responseEncoder: JSONEncoder { JSONCoding.encoder }
}

/// A context that exists only when the caller is signed in: "signed in" is a type, not an `if`.
public struct AuthenticatedContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let identity: Identity
    public let clientIP: String?
    public let maxUploadSize: Int

    public init(context: AppRequestContext) throws {
        guard let identity = context.identity else { throw DomainError.unauthenticated }
        self.coreContext = context.coreContext
        self.identity = identity
        self.clientIP = context.clientIP
        self.maxUploadSize = context.maxUploadSize
    }

    public var requestDecoder: JSONDecoder { JSONCoding.decoder }
    public var responseEncoder: JSONEncoder { JSONCoding.encoder }
}

/// The API's JSON: ISO-8601 UTC times. Keys are snake_case through explicit `CodingKeys` (a key strategy costs
/// a conversion per key per response).
enum JSONCoding {
    /// Made once: configuring a coder per request showed up in profiles.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
