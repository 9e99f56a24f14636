/// Errors the domain and storage layers raise; the server maps each to one HTTP status and code.
public enum DomainError: Error, Sendable, Equatable {
    case notFound(String)
    case conflict(String)
    case forbidden(String)
    case invalid(ValidationErrors)
    case unauthenticated
    case rateLimited(retryAfterSeconds: Int)
}
