import Foundation

/// The OpenAPI 3.1 description of the API, shipped as a resource: served as is and compiled into the contract that
/// checks every API request.
enum OpenAPIDocument {
    static func load() throws -> OpenAPIContract {
        try OpenAPIContract(document: try Data(contentsOf: try ResourceFiles.base().appendingPathComponent("openapi.json")))
    }
}
