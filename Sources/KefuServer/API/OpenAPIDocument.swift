import Foundation
import NIOCore

/// The OpenAPI 3.1 description of the API, shipped as a resource and served as is; a test keeps it true to the routes.
enum OpenAPIDocument {
    static func load() throws -> ByteBuffer {
        ByteBuffer(bytes: try Data(contentsOf: try ResourceFiles.base().appendingPathComponent("openapi.json")))
    }
}
