import Foundation
import HTTPTypes
import HummingbirdTesting
import KefuCore
import KefuServer
import NIOCore
import Testing

/// Pages through the router, as a browser would: cookies, CSRF tokens, redirects.
@Suite struct PagesTests {
    struct Browser {
        var cookies: [String: String] = [:]

        var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }

        mutating func keep(_ response: TestResponse) {
            for value in response.headers[values: .setCookie] {
                let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) }
            }
        }

        mutating func get(_ uri: String, _ client: any TestClientProtocol, language: String = "en") async throws -> TestResponse {
            let response = try await client.execute(
                uri: uri, method: .get, headers: [.cookie: cookieHeader, .acceptLanguage: language])
            keep(response)
            return response
        }

        mutating func post(_ uri: String, _ form: [String: String], _ client: any TestClientProtocol) async throws -> TestResponse
        {
            let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                .joined(separator: "&")
            let response = try await client.execute(
                uri: uri, method: .post,
                headers: [.cookie: cookieHeader, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: body))
            keep(response)
            return response
        }

        static func csrf(in html: String) -> String? {
            guard let range = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
            return String(html[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test func signInNeedsTheFormTokenAndLandsInTheShell() async throws {
        try await TestApp.run { app, client in
            try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            var browser = Browser()
            let page = String(buffer: try await browser.get("/login", client).body)
            let csrf = try #require(Browser.csrf(in: page))

            let forged = try await browser.post("/login", ["email": "owner@acme.example", "password": TestApp.password], client)
            #expect(forged.status == .forbidden)

            let wrong = try await browser.post(
                "/login", ["_csrf": csrf, "email": "owner@acme.example", "password": "nope nope nope"], client)
            #expect(wrong.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains("id=\"login-error\""))

            let ok = try await browser.post(
                "/login", ["_csrf": csrf, "email": "owner@acme.example", "password": TestApp.password], client)
            #expect(ok.status == .seeOther)
            #expect(ok.headers[.location] == "/app")
            let setCookie = ok.headers[values: .setCookie].first { $0.hasPrefix("kefu_session=") } ?? ""
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Lax"))

            let shell = String(buffer: try await browser.get("/app", client).body)
            #expect(shell.contains("id=\"main-nav\""))
            #expect(shell.contains("owner@acme.example"))
            let sessionCSRF = try #require(Browser.csrf(in: shell))

            let noToken = try await browser.post("/app/settings/workspace", ["name": "Hacked"], client)
            #expect(noToken.status == .forbidden)
            let saved = try await browser.post(
                "/app/settings/workspace", ["_csrf": sessionCSRF, "name": "Acme Two", "default_locale": "en"], client)
            #expect(saved.status == .seeOther)

            let out = try await browser.post("/logout", ["_csrf": sessionCSRF], client)
            #expect(out.headers[.location] == "/login")
            let after = try await browser.get("/app", client)
            #expect(after.status == .seeOther)
        }
    }

    @Test func pagesSpeakTheBrowsersLanguage() async throws {
        try await TestApp.run { _, client in
            var browser = Browser()
            let zh = String(buffer: try await browser.get("/login", client, language: "zh-CN,zh;q=0.9").body)
            #expect(zh.contains("lang=\"zh-CN\""))
            #expect(zh.contains("登录"))
            let en = String(buffer: try await browser.get("/login", client, language: "en-GB").body)
            #expect(en.contains("Sign in"))
        }
    }

    @Test func unknownPagesAreAnHTML404AndAssetsAreServed() async throws {
        try await TestApp.run { _, client in
            let missing = try await client.get("/no/such/page")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(String(buffer: missing.body).contains("404"))
            let css = try await client.get("/static/kefu.css")
            #expect(css.status == .ok)
            #expect(css.headers[.contentType]?.hasPrefix("text/css") == true)
        }
    }

    @Test func invitationsCanBeAcceptedOnceThroughThePage() async throws {
        try await TestApp.run { app, client in
            let owner = try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            let invite = try #require(
                try await client.post(
                    APIBody.json(["email": "agent@acme.example", "role": "agent"]), to: "/api/v1/invitations", token: owner
                ).json() as? [String: Any])
            let path = try #require(invite["invite_url"] as? String)
            var browser = Browser()
            let page = String(buffer: try await browser.get(path, client).body)
            let csrf = try #require(Browser.csrf(in: page))
            let short = try await browser.post(path, ["_csrf": csrf, "name": "A", "password": "short"], client)
            #expect(short.status == .unprocessableContent)
            let ok = try await browser.post(path, ["_csrf": csrf, "name": "Agent A", "password": TestApp.password], client)
            #expect(ok.headers[.location] == "/app")
            let shell = String(buffer: try await browser.get("/app", client).body)
            #expect(shell.contains("agent@acme.example"))
            var stranger = Browser()
            let reused = try await stranger.get(path, client)
            #expect(reused.status == .notFound)
        }
    }

    @Test func safeRedirectsOnly() {
        #expect(SessionPagesControllerProbe.safeNext("/app/settings") == "/app/settings")
        #expect(
            SessionPagesControllerProbe.safeNext("/app/settings/audit?cursor=1_x#top") == "/app/settings/audit?cursor=1_x#top")
        for evil in [
            "//evil.example", "https://evil.example", "/\t/127.0.0.1:9999/pwned.html", "/\n/evil.example", "/\\evil.example",
            "\\\\evil.example", "/\u{0}/evil", "javascript:alert(1)", "evil.example/app", "", " /app", "/\u{85}/evil",
            "http:/app", "//", "///evil.example",
        ] {
            #expect(SessionPagesControllerProbe.safeNext(evil) == nil, "\(evil.debugDescription)")
        }
    }

    @Test func aSignInWithAControlCharacterInNextStaysOnTheSite() async throws {
        try await TestApp.run { app, client in
            try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            var browser = Browser()
            let page = String(buffer: try await browser.get("/login", client).body)
            let csrf = try #require(Browser.csrf(in: page))
            let response = try await browser.post(
                "/login",
                ["_csrf": csrf, "email": "owner@acme.example", "password": TestApp.password, "next": "/\t/127.0.0.1:9999/x"],
                client)
            #expect(response.headers[.location] == "/app")
        }
    }
}

/// The pages' own scripts call the API with the session cookie; another site cannot.
@Suite struct SessionAPIOriginTests {
    @Test func cookieSignedAPIWritesMustComeFromThisSite() async throws {
        try await TestApp.run { app, client in
            try await app.member("owner@acme.example", workspace: "acme", role: .owner, client: client)
            var browser = PagesTests.Browser()
            let page = String(buffer: try await browser.get("/login", client).body)
            let csrf = try #require(PagesTests.Browser.csrf(in: page))
            _ = try await browser.post(
                "/login", ["_csrf": csrf, "email": "owner@acme.example", "password": TestApp.password], client)
            let fetchSite = try #require(HTTPField.Name("Sec-Fetch-Site"))
            var headers: HTTPFields = [.contentType: "application/json", .cookie: browser.cookieHeader]
            headers[fetchSite] = "cross-site"
            let forged = try await client.execute(uri: "/api/v1/bot/train", method: .post, headers: headers, body: nil)
            #expect(forged.status == .forbidden)
            headers[fetchSite] = "same-origin"
            let own = try await client.execute(
                uri: "/api/v1/kb/preview", method: .post, headers: headers, body: APIBody.json(["body": "**hi**"]))
            #expect(own.status == .ok)
        }
    }
}
