import Foundation
import HummingbirdTesting
import KefuCore
import KefuServer
import Testing

/// The served OpenAPI document names exactly the API routes, with the permission each one enforces.
@Suite struct OpenAPIDocumentTests {
    static func openAPIPath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map {
            $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0)
        }
        .joined(separator: "/")
    }

    @Test func theDocumentMatchesTheRoutes() async throws {
        try await TestApp.run { app, client in
            let response = try await client.get("/api/v1/openapi.json")
            let doc = try #require(try response.json() as? [String: Any])
            #expect(doc["openapi"] as? String == "3.1.0")
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            var documented: [String: String?] = [:]
            for (path, operations) in paths {
                for (method, operation) in operations {
                    documented["\(method.uppercased()) \(path)"] = (operation as? [String: Any])?["x-kefu-permission"] as? String
                }
            }
            var routed: [String: String?] = [:]
            for entry in app.catalog.entries where entry.surface == .api {
                let permission: String? = if case .permission(let p) = entry.access { p.rawValue } else { nil }
                routed["\(entry.method.rawValue) \(Self.openAPIPath(entry.path))"] = permission
            }
            #expect(Set(documented.keys) == Set(routed.keys))
            for (key, permission) in routed {
                #expect(documented[key] == permission, "\(key)")
            }
        }
    }
}
