import Foundation
import HTTPTypes
import HummingbirdTesting
import KefuServer
import NIOCore
import Testing

/// Wraps the test client so that every API response any test receives is checked against the API document:
/// a documented status, the documented media type, and a body that matches the documented schema.
struct ContractCheckingClient: TestClientProtocol {
    let inner: any TestClientProtocol
    let contract: OpenAPIContract

    var port: Int? { inner.port }

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws
        -> TestResponse
    {
        let response = try await inner.executeRequest(uri: uri, method: method, headers: headers, body: body)
        let path = String(uri.split(separator: "?", maxSplits: 1).first ?? "")
        guard path.hasPrefix("/api/") || ["/health", "/ready", "/metrics"].contains(path) else { return response }
        guard let operation = contract.operation(method, concretePath: path) else {
            // Only a 405 (known path, other method) or 404 (unknown path) may answer an undocumented operation.
            if ![.methodNotAllowed, .notFound].contains(response.status) {
                Issue.record("\(method) \(path) is not in the API document but answered \(response.status.code)")
            }
            return response
        }
        let problems = operation.responseProblems(
            status: response.status.code, contentType: response.headers[.contentType], body: Data(buffer: response.body))
        for problem in problems { Issue.record("API response breaks the document: \(problem)") }
        return response
    }
}
