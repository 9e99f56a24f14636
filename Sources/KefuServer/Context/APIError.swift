import Foundation
import HTTPTypes
import Hummingbird
import KefuCore
import NIOCore

/// An error with its HTTP status and stable code, rendered as `{"error": {"code", "message", "fields"}}`. The
/// message is worded from the catalogues in the reader's language when the response is written.
public struct APIError: Error, Sendable {
    /// What the message says; each case names a catalogue key.
    public enum Reason: Sendable, Equatable {
        /// The generic message of the code (`errors.<code>`).
        case code
        case notFound(DomainError.Resource)
        case conflict(DomainError.Conflict)
        case forbidden(DomainError.Refusal)
        case rateLimited(seconds: Int)
    }

    public var status: HTTPResponse.Status
    public var code: String
    public var reason: Reason
    public var issues: ValidationErrors?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, reason: Reason = .code, issues: ValidationErrors? = nil) {
        self.status = status
        self.code = code
        self.reason = reason
        self.issues = issues
    }

    static let notFound = APIError(.notFound, code: "not_found")
    static let unauthenticated = APIError(.unauthorized, code: "unauthenticated")
    static let badCredentials = APIError(.unauthorized, code: "invalid_credentials")
    static let forbidden = APIError(.forbidden, code: "forbidden")
    static let csrf = APIError(.forbidden, code: "csrf_failed")
    static let malformedJSON = APIError(.badRequest, code: "malformed_json")
    static let malformedRequest = APIError(.badRequest, code: "malformed_request")
    static let bodyTooLarge = APIError(.contentTooLarge, code: "body_too_large")
    /// The workspace's file storage quota is used up.
    static let storageFull = APIError(HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), code: "storage_full")
    static let unsupportedMediaType = APIError(.unsupportedMediaType, code: "unsupported_media_type")
    static let internalError = APIError(.internalServerError, code: "internal")
    static var upgradeRequired: APIError {
        var error = APIError(.upgradeRequired, code: "upgrade_required")
        error.headers[.upgrade] = "websocket"
        return error
    }

    /// Maps any error to the API shape. Unknown errors become a 500 whose details stay in the log.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as DomainError:
            switch error {
            case .notFound(let what): return APIError(.notFound, code: "not_found", reason: .notFound(what))
            case .conflict(let why): return APIError(.conflict, code: "conflict", reason: .conflict(why))
            case .forbidden(let why): return APIError(.forbidden, code: "forbidden", reason: .forbidden(why))
            case .invalid(let errors): return .validation(errors)
            case .unauthenticated: return .unauthenticated
            case .rateLimited(let seconds):
                var e = APIError(.tooManyRequests, code: "rate_limited", reason: .rateLimited(seconds: seconds))
                e.headers[.retryAfter] = "\(seconds)"
                return e
            }
        case let errors as ValidationErrors:
            return .validation(errors)
        case is NIOTooManyBytesError:
            // A body without Content-Length (chunked) that grew past the limit while being read.
            return .bodyTooLarge
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .notFound
            case .contentTooLarge: return .bodyTooLarge
            case .badRequest: return .malformedRequest
            case .methodNotAllowed: return APIError(.methodNotAllowed, code: "method_not_allowed")
            default: return APIError(error.status, code: "http_\(error.status.code)")
            }
        default:
            return .internalError
        }
    }

    static func validation(_ errors: ValidationErrors) -> APIError {
        APIError(.unprocessableContent, code: "validation_failed", issues: errors)
    }
}
