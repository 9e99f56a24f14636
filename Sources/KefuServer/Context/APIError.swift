import Foundation
import HTTPTypes
import Hummingbird
import KefuCore

/// An error with its HTTP status and stable code, rendered as `{"error": {"code", "message", "fields"}}`.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var fields: [String: String]?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, fields: [String: String]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
    }

    static let notFound = APIError(.notFound, code: "not_found", message: "No such resource.")
    static let unauthenticated = APIError(
        .unauthorized, code: "unauthenticated", message: "Sign in or send a valid bearer token.")
    static let badCredentials = APIError(
        .unauthorized, code: "invalid_credentials", message: "The e-mail or password is incorrect.")
    static let forbidden = APIError(.forbidden, code: "forbidden", message: "Your role does not allow this.")
    static let csrf = APIError(
        .forbidden, code: "csrf_failed",
        message: "The form expired or did not come from this site. Reload the page and try again.")

    /// Maps any error to the API shape. Unknown errors become a 500 whose details stay in the log.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as DomainError:
            switch error {
            case .notFound(let what): return APIError(.notFound, code: "not_found", message: "No such \(what).")
            case .conflict(let message): return APIError(.conflict, code: "conflict", message: message)
            case .forbidden(let message): return APIError(.forbidden, code: "forbidden", message: message)
            case .invalid(let errors): return .validation(errors)
            case .unauthenticated: return .unauthenticated
            case .rateLimited(let seconds):
                var e = APIError(
                    .tooManyRequests, code: "rate_limited", message: "Too many attempts. Try again in \(seconds) seconds.")
                e.headers[.retryAfter] = "\(seconds)"
                return e
            }
        case let errors as ValidationErrors:
            return .validation(errors)
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .notFound
            case .contentTooLarge:
                return APIError(.contentTooLarge, code: "body_too_large", message: "The request body is too large.")
            case .badRequest:
                return APIError(.badRequest, code: "malformed_request", message: error.body ?? "The request is malformed.")
            case .methodNotAllowed: return APIError(.methodNotAllowed, code: "method_not_allowed", message: "Method not allowed.")
            default:
                return APIError(error.status, code: "http_\(error.status.code)", message: error.body ?? error.status.reasonPhrase)
            }
        default:
            return APIError(
                .internalServerError, code: "internal", message: "Something went wrong on our side. It has been logged.")
        }
    }

    static func validation(_ errors: ValidationErrors) -> APIError {
        APIError(.unprocessableContent, code: "validation_failed", message: "Some fields are invalid.", fields: errors.fields)
    }
}
