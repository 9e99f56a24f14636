import Ink

/// Markdown → HTML that is safe to put in any page: Ink renders, the sanitiser keeps only the allow-list.
struct MarkdownRenderer: Sendable {
    func html(_ markdown: String) -> String {
        HTMLSanitizer().sanitize(MarkdownParser().html(from: markdown))
    }

    /// The body as plain text, for search snippets and previews.
    func plainText(_ markdown: String) -> String {
        var scanner = HTMLScanner(MarkdownParser().html(from: markdown))
        var out = ""
        while let token = scanner.next() {
            switch token {
            case .text(let text): out += text
            case .start(let name, _, _) where HTMLSanitizer.droppedWithContent.contains(name):
                scanner.skip(toClosing: name)
            case .start(let name, _, _), .end(let name):
                if ["p", "li", "h1", "h2", "h3", "h4", "br", "tr", "pre", "blockquote"].contains(name) { out += " " }
            }
        }
        return out.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
