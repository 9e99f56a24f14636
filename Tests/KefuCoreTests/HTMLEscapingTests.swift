import KefuCore
import Testing

/// One escaper for pages and e-mails: per Unicode scalar, so a `<` or a quote joined to a combining mark is escaped too.
@Suite struct HTMLEscapingTests {
    @Test func markupJoinedToCombiningMarksIsEscaped() {
        #expect(HTMLEscaping.escape("<\u{301}script>") == "&lt;\u{301}script&gt;")
        #expect(HTMLEscaping.escape("\"\u{301} onload='x'") == "&quot;\u{301} onload=&#39;x&#39;")
        #expect(HTMLEscaping.escape("a & b 退货") == "a &amp; b 退货")
    }
}
