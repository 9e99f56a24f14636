import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuCore
import KefuTestSupport
import NIOCore
import Testing

@testable import KefuServer

/// Articles, revisions, optimistic concurrency, FAQ and the public portal through the API.
@Suite struct KnowledgeAPITests {
    private func article(_ client: any TestClientProtocol, token: String, _ body: [String: Any]) async throws -> [String: Any] {
        let response = try await client.post(APIBody.json(body), to: "/api/v1/kb/articles", token: token)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try #require(try response.json() as? [String: Any])
    }

    @Test(arguments: TestDatabase.all)
    func aPublishedChineseArticleIsFoundByThePortalAndAStaleEditChangesNothing(_ db: TestDatabase) async throws {
        try await TestApp.run(db) { app, client in
            let token = try await app.member("admin@shop.example", workspace: "tea-shop", role: .admin, client: client)
            let created = try await article(
                client, token: token,
                ["title": "如何申请退货", "body": "## 退货流程\n\n签收后 **7 天内** 可以申请无理由退货。", "locale": "zh-CN", "status": "published"])
            let id = try #require(created["id"] as? String)
            #expect((created["url"] as? String)?.hasSuffix("/help/tea-shop/articles/\(id)") == true)
            #expect((created["html"] as? String)?.contains("<strong>7 天内</strong>") == true)

            let query = "退货".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""
            let search = try await client.get("/api/v1/portal/tea-shop/search?q=\(query)&locale=zh-CN")
            #expect(search.status == .ok)
            let results = try #require((try search.json() as? [String: Any])?["results"] as? [[String: Any]])
            #expect(results.first?["title"] as? String == "如何申请退货")
            #expect((results.first?["highlights"] as? [String])?.contains("退货") == true)
            #expect((results.first?["url"] as? String)?.hasSuffix(id) == true)
            // The other language's portal does not show it.
            let english = try await client.get("/api/v1/portal/tea-shop/search?q=\(query)&locale=en")
            #expect(((try english.json() as? [String: Any])?["results"] as? [Any])?.isEmpty == true)

            // Two editors start from version 1; the second save is refused and the first one's text stays.
            let first = try await client.post(
                APIBody.json(["title": "如何申请退货（新）", "version": 1]), to: "/api/v1/kb/articles/\(id)", token: token,
                method: .patch)
            #expect(first.status == .ok)
            #expect(first.headers[.eTag] == "\"2\"")
            let stale = try await client.post(
                APIBody.json(["title": "被覆盖的标题", "version": 1]), to: "/api/v1/kb/articles/\(id)", token: token, method: .patch)
            #expect(stale.status == .conflict)
            #expect(stale.errorCode == "conflict")
            let current = try #require(try await client.get("/api/v1/kb/articles/\(id)", token: token).json() as? [String: Any])
            #expect(current["title"] as? String == "如何申请退货（新）")
            #expect(current["version"] as? Int == 2)

            // An earlier revision comes back as a new version.
            let revisions = try #require(
                try await client.get("/api/v1/kb/articles/\(id)/revisions", token: token).json() as? [[String: Any]])
            #expect(revisions.map { $0["version"] as? Int } == [2, 1])
            let firstRevision = try #require(revisions.last?["id"] as? String)
            let staleRestore = try await client.post(
                APIBody.json(["version": 1]), to: "/api/v1/kb/articles/\(id)/revisions/\(firstRevision)/restore", token: token)
            #expect(staleRestore.status == .conflict)
            let restored = try await client.post(
                APIBody.json(["version": 2]), to: "/api/v1/kb/articles/\(id)/revisions/\(firstRevision)/restore", token: token)
            #expect(restored.status == .ok)
            let restoredBody = try #require(try restored.json() as? [String: Any])
            #expect(restoredBody["title"] as? String == "如何申请退货")
            #expect(restoredBody["version"] as? Int == 3)
        }
    }

    @Test func draftsAndDeletedArticlesAreNotPublic() async throws {
        try await TestApp.run { app, client in
            let token = try await app.member("admin@shop.example", workspace: "tea-shop", role: .admin, client: client)
            let draft = try await article(
                client, token: token, ["title": "Secret launch plan", "body": "launch", "locale": "en", "status": "draft"])
            let published = try await article(
                client, token: token, ["title": "Launch day shipping", "body": "launch", "locale": "en", "status": "published"])
            let found = try await client.get("/api/v1/portal/tea-shop/search?q=launch&locale=en")
            let titles = ((try found.json() as? [String: Any])?["results"] as? [[String: Any]])?.compactMap {
                $0["title"] as? String
            }
            #expect(titles == ["Launch day shipping"])
            let draftPage = try await client.get("/help/tea-shop/articles/\(draft["id"] as? String ?? "")")
            #expect(draftPage.status == .notFound)
            let id = try #require(published["id"] as? String)
            _ = try await article(
                client, token: token, ["title": "Launch day returns", "body": "launch", "locale": "en", "status": "published"])
            let page = try await client.get("/help/tea-shop/articles/\(id)")
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("id=\"portal-related\""))
            let deleted = try await client.execute(
                uri: "/api/v1/kb/articles/\(id)", method: .delete, headers: [.authorization: "Bearer \(token)"])
            #expect(deleted.status == .noContent)
            let after = try await client.get("/api/v1/portal/tea-shop/search?q=launch&locale=en")
            let left = ((try after.json() as? [String: Any])?["results"] as? [[String: Any]])?.compactMap {
                $0["title"] as? String
            }
            #expect(left == ["Launch day returns"])
        }
    }

    @Test func portalSearchAnswersOddQueriesWithADefinedResult() async throws {
        try await TestApp.run { app, client in
            let token = try await app.member("admin@shop.example", workspace: "tea-shop", role: .admin, client: client)
            _ = try await article(
                client, token: token, ["title": "Shipping", "body": "We ship daily", "locale": "en", "status": "published"])
            let long = String(repeating: "shipping ", count: 1200)
            for q in ["", "%00%01%FF", "%F0%9F%98%80", long.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""] {
                let response = try await client.get("/api/v1/portal/tea-shop/search?q=\(q)")
                #expect(response.status == .ok)
                #expect((try response.json() as? [String: Any])?["results"] is [Any])
            }
            #expect(try await client.get("/api/v1/portal/no-such-shop/search?q=x").status == .notFound)
            // The query comes back into the page's search box escaped, even a quote joined to a combining mark.
            let page = try await client.get("/help/tea-shop?q=%22%CC%81%20autofocus%20onfocus%3Dalert(1)%20x")
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            let raw = "\"" + "\u{301}" + " autofocus"
            let escaped = "&quot;" + "\u{301}" + " autofocus"
            #expect(!html.contains(raw))
            #expect(html.contains(escaped))
        }
    }

    @Test func oneVotePerVisitorPerArticle() async throws {
        try await TestApp.run { app, client in
            let token = try await app.member("admin@shop.example", workspace: "tea-shop", role: .admin, client: client)
            let created = try await article(
                client, token: token, ["title": "Invoices", "body": "How to get one", "locale": "en", "status": "published"])
            let uri = "/api/v1/portal/tea-shop/articles/\(created["id"] as? String ?? "")/vote"
            let first = try await client.post(APIBody.json(["helpful": true]), to: uri)
            #expect(first.status == .ok)
            let cookie = try #require(first.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[.cookie] = cookie
            _ = try await client.execute(uri: uri, method: .post, headers: headers, body: APIBody.json(["helpful": true]))
            let changed = try await client.execute(
                uri: uri, method: .post, headers: headers, body: APIBody.json(["helpful": false]))
            #expect((try changed.json() as? [String: Any])?["helpful_count"] as? Int == 0)
            #expect((try changed.json() as? [String: Any])?["unhelpful_count"] as? Int == 1)
            let other = try await client.post(APIBody.json(["helpful": true]), to: uri)
            #expect((try other.json() as? [String: Any])?["helpful_count"] as? Int == 1)
        }
    }

    @Test func markdownThatCarriesScriptIsNeverServedAsScript() async throws {
        try await TestApp.run { app, client in
            let token = try await app.member("admin@shop.example", workspace: "tea-shop", role: .admin, client: client)
            for payload in MarkdownSafetyTests.payloads {
                let created = try await article(
                    client, token: token,
                    ["title": "<script>alert(1)</script>", "body": payload, "locale": "en", "status": "published"])
                if created["id"] == nil { continue }
                #expect(MarkdownSafetyTests.isSafe(created["html"] as? String ?? "<script"))
                let page = try await client.get("/help/tea-shop/articles/\(created["id"] as? String ?? "")")
                #expect(page.status == .ok)
                let html = String(buffer: page.body)
                #expect(!html.contains("<script>alert"), "portal page carries the payload \(payload)")
                let main = html.components(separatedBy: "<article").dropFirst().first ?? ""
                #expect(MarkdownSafetyTests.isSafe(main.replacingOccurrences(of: "&lt;script&gt;", with: "")))
                let preview = try await client.post(APIBody.json(["body": payload]), to: "/api/v1/kb/preview", token: token)
                #expect(MarkdownSafetyTests.isSafe((try preview.json() as? [String: Any])?["html"] as? String ?? "<script"))
            }
        }
    }

    @Test func agentsReadButDoNotEditTheKnowledgeBase() async throws {
        try await TestApp.run { app, client in
            _ = try await app.member("admin@shop.example", workspace: "tea-shop", role: .admin, client: client)
            let agent = try await app.member("agent@shop.example", workspace: "tea-shop", role: .agent, client: client)
            #expect(try await client.get("/api/v1/kb/articles", token: agent).status == .ok)
            let refused = try await client.post(
                APIBody.json(["title": "x", "body": "y", "locale": "en"]), to: "/api/v1/kb/articles", token: agent)
            #expect(refused.status == .forbidden)
        }
    }

    @Test func faqEntriesNeedQuestionsAndAnAnswer() async throws {
        try await TestApp.run { app, client in
            let token = try await app.member("admin@shop.example", workspace: "tea-shop", role: .admin, client: client)
            let created = try await client.post(
                APIBody.json(["questions": ["怎么开发票", "发票怎么开", "怎么开发票"], "answer": "在订单详情页申请。", "locale": "zh-CN"]),
                to: "/api/v1/kb/faqs", token: token)
            #expect(created.status == .created)
            #expect((try created.json() as? [String: Any])?["questions"] as? [String] == ["怎么开发票", "发票怎么开"])
            let nul = try await client.post(
                APIBody.json(["title": "Nul", "body": "a\u{0}b", "locale": "en"]), to: "/api/v1/kb/articles", token: token)
            #expect(nul.status == .unprocessableContent)
            let blank = try await client.post(
                APIBody.json(["questions": ["  "], "answer": "x", "locale": "en"]), to: "/api/v1/kb/faqs", token: token)
            #expect(blank.status == .unprocessableContent)
            let faqs = try #require(try await client.get("/api/v1/kb/faqs", token: token).json() as? [Any])
            #expect(faqs.count == 1)
        }
    }
}

/// Export and import of the whole knowledge base (JSON) and of the FAQ (CSV).
@Suite struct KnowledgeTransferTests {
    @Test func anExportImportsIntoAnotherWorkspaceAndABrokenImportChangesNothing() async throws {
        try await TestApp.run { app, client in
            let source = try await app.member("a@shop.example", workspace: "shop-a", role: .admin, client: client)
            let target = try await app.member("b@shop.example", workspace: "shop-b", role: .admin, client: client)
            _ = try await client.post(
                APIBody.json(["key": "returns", "name_en": "Returns", "name_zh": "退货"]), to: "/api/v1/kb/categories",
                token: source)
            let zh = try await client.post(
                APIBody.json(["title": "退货政策", "body": "七天无理由退货", "locale": "zh-CN", "status": "published"]),
                to: "/api/v1/kb/articles", token: source)
            let zhID = try #require((try zh.json() as? [String: Any])?["id"] as? String)
            _ = try await client.post(
                APIBody.json([
                    "title": "Returns policy", "body": "7-day returns", "locale": "en", "status": "published",
                    "translation_of": zhID,
                ]), to: "/api/v1/kb/articles", token: source)
            _ = try await client.post(
                APIBody.json(["questions": ["怎么退货"], "answer": "在订单页申请。", "locale": "zh-CN"]), to: "/api/v1/kb/faqs",
                token: source)
            let exported = try await client.get("/api/v1/kb/export", token: source)
            #expect(exported.status == .ok)
            var document = try #require(try exported.json() as? [String: Any])
            #expect((document["articles"] as? [Any])?.count == 2)

            // One bad entry: nothing is imported and the error names it.
            var articles = try #require(document["articles"] as? [[String: Any]])
            articles.append(["title": " ", "body": "x", "locale": "en"])
            document["articles"] = articles
            let broken = try await client.post(
                ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: document)), to: "/api/v1/kb/import", token: target)
            #expect(broken.status == .unprocessableContent)
            let fields = ((try broken.json() as? [String: Any])?["error"] as? [String: Any])?["fields"] as? [String: String]
            #expect(fields?.keys.contains("articles.2.title") == true, "\(fields ?? [:])")
            #expect(
                ((try await client.get("/api/v1/kb/articles", token: target).json() as? [String: Any])?["data"] as? [Any])?
                    .isEmpty == true)

            articles.removeLast()
            document["articles"] = articles
            let imported = try await client.post(
                ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: document)), to: "/api/v1/kb/import", token: target)
            #expect(imported.status == .created)
            let counts = try #require(try imported.json() as? [String: Any])
            #expect(counts["articles"] as? Int == 2)
            #expect(counts["faqs"] as? Int == 1)
            #expect(counts["categories"] as? Int == 1)
            let list = try #require(
                (try await client.get("/api/v1/kb/articles", token: target).json() as? [String: Any])?["data"] as? [[String: Any]]
            )
            #expect(Set(list.compactMap { $0["translation_group"] as? String }).count == 1, "translations stay linked")
        }
    }

    @Test func faqCSVRoundTripsAndABadLineIsNamed() async throws {
        try await TestApp.run { app, client in
            let token = try await app.member("a@shop.example", workspace: "shop-a", role: .admin, client: client)
            let csv =
                "locale,intent,questions,answer\nzh-CN,invoice,怎么开发票 | 发票怎么开,\"在订单页申请，选择抬头。\"\nen,,how do I return | returns?,Within 7 days.\n"
            let imported = try await client.post(APIBody.json(["csv": csv]), to: "/api/v1/kb/import/faqs", token: token)
            #expect(imported.status == .created)
            #expect((try imported.json() as? [String: Any])?["faqs"] as? Int == 2)
            let exported = try await client.get("/api/v1/kb/export/faqs.csv", token: token)
            #expect(exported.headers[.contentType]?.hasPrefix("text/csv") == true)
            let text = String(buffer: exported.body)
            #expect(text.hasPrefix("locale,intent,questions,answer\n"))
            #expect(text.contains("zh-CN,invoice,怎么开发票 | 发票怎么开,在订单页申请，选择抬头。\n"))

            let bad = "locale,intent,questions,answer\nen,,fine question,fine answer\nfr,,question,answer\nen,,,no questions\n"
            let refused = try await client.post(APIBody.json(["csv": bad]), to: "/api/v1/kb/import/faqs", token: token)
            #expect(refused.status == .unprocessableContent)
            let fields = ((try refused.json() as? [String: Any])?["error"] as? [String: Any])?["fields"] as? [String: String]
            #expect(Set(fields?.keys.map { $0 } ?? []) == ["line 3.locale", "line 4.questions"])
            let unterminated = try await client.post(
                APIBody.json(["csv": "locale,intent,questions,answer\nen,,\"open,answer\n"]), to: "/api/v1/kb/import/faqs",
                token: token)
            #expect(unterminated.status == .unprocessableContent)
            let faqs = try #require(try await client.get("/api/v1/kb/faqs", token: token).json() as? [Any])
            #expect(faqs.count == 2)
        }
    }
}

/// The help center's colour and contact options.
@Suite struct PortalSettingsTests {
    @Test func theHelpCenterShowsTheConfiguredContactsAndColour() async throws {
        try await TestApp.run { app, client in
            let token = try await app.member("a@shop.example", workspace: "shop-a", role: .admin, client: client)
            let saved = try await client.post(
                APIBody.json([
                    "brand_color": "#AA3300", "support_email": "help@shop.example", "support_phone": "+86 400-123-4567",
                ]),
                to: "/api/v1/workspace/portal", token: token, method: .patch)
            #expect(saved.status == .ok)
            let page = String(buffer: try await client.get("/help/shop-a?lang=en").body)
            #expect(page.contains("data-brand=\"#aa3300\""))
            #expect(page.contains("href=\"mailto:help@shop.example\""))
            #expect(page.contains("href=\"tel:+864001234567\""))
            let bad = try await client.post(
                APIBody.json(["support_email": "not an address"]), to: "/api/v1/workspace/portal", token: token, method: .patch)
            #expect(bad.status == .unprocessableContent)
            let removed = try await client.post(
                APIBody.json(["support_email": NSNull()]), to: "/api/v1/workspace/portal", token: token, method: .patch)
            let body = try #require(try removed.json() as? [String: Any])
            #expect(body["support_email"] == nil || body["support_email"] is NSNull)
            #expect(body["support_phone"] as? String == "+86 400-123-4567")
            let agent = try await app.member("b@shop.example", workspace: "shop-a", role: .agent, client: client)
            let refused = try await client.post(
                APIBody.json(["brand_color": "#000000"]), to: "/api/v1/workspace/portal", token: agent, method: .patch)
            #expect(refused.status == .forbidden)
        }
    }
}
