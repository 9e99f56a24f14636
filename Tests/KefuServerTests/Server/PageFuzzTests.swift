import Foundation
import HTTPTypes
import HummingbirdTesting
import KefuCore
import NIOCore
import Testing

@testable import KefuServer

/// Every page route, signed in as the owner, with hostile numbers and garbage in every query and form field the pages
/// know: nothing answers 5xx, and the server is still alive at the end. (A trap in arithmetic on such a value kills
/// the whole process, and with it this test run.)
@Suite(.timeLimit(.minutes(30))) struct PageFuzzTests {
    typealias Browser = PagesTests.Browser

    static let hostile = [
        "9223372036854775807", "-9223372036854775808", "-1", "0", "1e30", "99999999999999999999999", "NaN", "0x10",
        "1d1d1d1d1d1d1d1d1d1d", "9223372036854775807d", "garbage\u{0}", "",
    ]

    /// Query and form names the page handlers read that a page does not always show as a field.
    static let knownNames = [
        "page", "per_page", "cursor", "limit", "q", "view", "status", "priority", "assignee", "sla", "tag", "team",
        "lang", "next", "flash", "reveal", "created", "version", "max_chats", "timeout_ms", "warn_before", "into",
        "then_status", "ids", "first_normal", "resolution_normal", "first_urgent", "resolution_low", "position",
    ]

    @Test func everyPageSurvivesHostileNumbersInEveryField() async throws {
        try await TestApp.run(within: .seconds(600)) { app, client in
            let owner = try await app.member("owner@fuzz.example", workspace: "fuzz", role: .owner, client: client)
            let ids = try await Self.seed(owner: owner, client: client)
            var (browser, anonymousCSRF, sessionCSRF) = try await Self.signIn(client)

            let entries = app.catalog.entries.filter { $0.surface == .page && !$0.path.contains("logout") }
            // The field names the pages themselves show.
            var names = Set(Self.knownNames)
            for entry in entries where entry.method == .get {
                let html = String(buffer: try await browser.get(Self.concrete(entry.path, ids), client).body)
                names.formUnion(Self.fieldNames(in: html))
            }
            names.remove("_csrf")
            #expect(names.count > 40, "\(names.sorted())")

            var requests = 0
            for value in Self.hostile {
                let query = names.sorted().map { "\($0)=\(Self.encoded(value))" }.joined(separator: "&")
                for entry in entries {
                    let path = Self.concrete(entry.path, ids)
                    let response: TestResponse
                    if entry.method == .get {
                        response = try await browser.get(path + "?" + query, client)
                    } else {
                        var form = Dictionary(uniqueKeysWithValues: names.map { ($0, value) })
                        form["_csrf"] = entry.access == .anonymous ? anonymousCSRF : sessionCSRF
                        response = try await browser.post(path + "?" + query, form, client)
                    }
                    requests += 1
                    #expect(response.status.code < 500, "\(entry.method) \(entry.path) with \(value.debugDescription)")
                }
                // Still signed in (a hostile value never ends the session) and still serving.
                let shell = try await browser.get("/app", client)
                if shell.status != .ok { (browser, anonymousCSRF, sessionCSRF) = try await Self.signIn(client) }
            }
            #expect(requests > 500)
            #expect(try await client.get("/health").status == .ok)
        }
    }

    /// A browser with both form tokens: the signed-out pages' (help center, sign-in) and the session's.
    static func signIn(_ client: any TestClientProtocol) async throws -> (Browser, String, String) {
        var browser = Browser()
        let login = String(buffer: try await browser.get("/login", client).body)
        let anonymous = try #require(Browser.csrf(in: login))
        let done = try await browser.post(
            "/login", ["_csrf": anonymous, "email": "owner@fuzz.example", "password": TestApp.password], client)
        #expect(done.status == .seeOther)
        let shell = String(buffer: try await browser.get("/app", client).body)
        return (browser, anonymous, try #require(Browser.csrf(in: shell)))
    }

    /// Real ids for the path parameters that name something, so that handlers read their inputs instead of answering
    /// 404 first; the rest get random ids.
    static func seed(owner: String, client: any TestClientProtocol) async throws -> [String: String] {
        func id(_ response: TestResponse) throws -> String {
            try #require((try response.json() as? [String: Any])?["id"] as? String, "\(String(buffer: response.body))")
        }
        var ids: [String: String] = [:]
        ids[":ticketID"] = try id(
            try await client.post(
                APIBody.json(["subject": "Where is my order", "body": "It is late", "requester_email": "c@fuzz.example"]),
                to: "/api/v1/tickets", token: owner))
        ids[":slaPolicyID"] = try id(
            try await client.post(
                APIBody.json([
                    "name": "Standard", "targets": [["priority": "normal", "first_response_minutes": 60]],
                ]), to: "/api/v1/sla-policies", token: owner))
        ids[":articleID"] = try id(
            try await client.post(
                APIBody.json(["title": "Returns", "body": "Within 7 days.", "locale": "en", "status": "published"]),
                to: "/api/v1/kb/articles", token: owner))
        ids[":slug"] = "fuzz"
        return ids
    }

    static func concrete(_ path: String, _ ids: [String: String]) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            guard part.hasPrefix(":") else { return String(part) }
            return ids[String(part)] ?? (part == ":token" ? "no-such-token" : UUID().uuidString)
        }.joined(separator: "/")
    }

    static func fieldNames(in html: String) -> Set<String> {
        var names = Set<String>()
        var rest = html[...]
        while let range = rest.range(of: " name=\"") {
            let name = rest[range.upperBound...].prefix { $0 != "\"" }
            if !name.isEmpty, name.count < 60 { names.insert(String(name)) }
            rest = rest[range.upperBound...]
        }
        return names
    }

    static func encoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }
}
