import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuCore
import KefuServer
import Logging
import NIOCore
import Testing

/// Walks every registered route: anonymous callers are turned away, agents are refused admin routes.
@Suite struct RouteAccessTests {
    static func concrete(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix(":") ? (part == ":token" ? "no-such-token" : UUID().uuidString) : String(part)
        }.joined(separator: "/")
    }

    static func request(_ entry: RouteCatalog.Entry, token: String?, client: any TestClientProtocol) async throws -> TestResponse
    {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if entry.method != .get {
            headers[.contentType] = entry.surface == .api ? "application/json" : "application/x-www-form-urlencoded"
            body = ByteBuffer(string: entry.surface == .api ? "{}" : "")
        }
        return try await client.execute(uri: concrete(entry.path), method: entry.method, headers: headers, body: body)
    }

    @Test func everyRouteIsInTheCatalogue() async throws {
        try await TestApp.run { app, _ in
            let catalog = RouteCatalog()
            let router = buildRouter(app.dependencies, catalog: catalog)
            let registered = Set(router.routes.map { "\($0.method) \($0.path)" })
            let catalogued = Set(catalog.entries.map { "\($0.method) \(RouterPath($0.path))" })
            #expect(registered == catalogued)
            #expect(registered.count > 30)
        }
    }

    @Test func anonymousCallersGet401OrTheSignInPage() async throws {
        try await TestApp.run { app, client in
            for entry in app.catalog.entries where entry.access != .anonymous {
                let response = try await Self.request(entry, token: nil, client: client)
                switch entry.surface {
                case .api:
                    #expect(response.status == .unauthorized, "\(entry.method) \(entry.path)")
                    #expect(response.errorCode == "unauthenticated", "\(entry.method) \(entry.path)")
                case .page:
                    #expect(response.status == .seeOther, "\(entry.method) \(entry.path)")
                    #expect(response.headers[.location]?.hasPrefix("/login") == true, "\(entry.method) \(entry.path)")
                }
            }
        }
    }

    @Test func agentsAreRefusedEveryRouteTheirRoleLacks() async throws {
        try await TestApp.run { app, client in
            let agent = try await app.member("agent@acme.example", workspace: "acme", role: .agent, client: client)
            var refused = 0
            for entry in app.catalog.entries {
                guard case .permission(let permission) = entry.access, !PermissionTable.allows(.agent, permission) else {
                    continue
                }
                let response = try await Self.request(entry, token: agent, client: client)
                #expect(response.status == .forbidden, "\(entry.method) \(entry.path)")
                refused += 1
            }
            #expect(refused >= 8)
        }
    }

    @Test func invalidBearerTokensAreUnauthenticated() async throws {
        try await TestApp.run { _, client in
            let response = try await client.get("/api/v1/me", token: "kefu_pat_forged")
            #expect(response.status == .unauthorized)
        }
    }
}
