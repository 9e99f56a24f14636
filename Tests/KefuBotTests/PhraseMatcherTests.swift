import Foundation
import KefuBot
import PropertyBased
import Testing

@Suite struct PhraseMatcherTests {
    private func words(_ matcher: PhraseMatcher<String>, _ text: String) -> [String] {
        matcher.matches(in: text).map(\.value)
    }

    @Test func findsEveryListedPhraseInEveryWrittenForm() {
        let matcher = PhraseMatcher([("发货", "发货"), ("VIP", "VIP"), ("微信", "微信"), ("加微信", "加微信")])
        #expect(words(matcher, "什麼時候發貨") == ["发货"], "traditional characters")
        #expect(words(matcher, "我是ＶＩＰ客户") == ["VIP"], "full-width letters beside Chinese")
        #expect(words(matcher, "发 · 货") == ["发货"], "spaces and punctuation between the characters")
        #expect(Set(words(matcher, "请加微信")) == ["微信", "加微信"], "overlapping phrases are all found")
    }

    @Test func latinPhrasesMatchWholeWordsOnly() {
        let matcher = PhraseMatcher([("ass", "ass"), ("vip", "vip")])
        #expect(words(matcher, "first class glass").isEmpty)
        #expect(words(matcher, "VIPs get it").isEmpty)
        #expect(words(matcher, "you a.s.s") == ["ass"])
        #expect(words(matcher, "the VIP lounge") == ["vip"])
    }

    @Test func rangesPointAtTheOriginalCharacters() {
        let matcher = PhraseMatcher([("发货", "发货")])
        let text = "请尽快發 貨谢谢"
        let match = try? #require(matcher.matches(in: text).first)
        let characters = Array(text)
        #expect(match.map { String(characters[$0.characters]) } == "發 貨")
    }

    @Test func anEmptyListOrPunctuationOnlyPhrasesFindNothing() {
        #expect(PhraseMatcher<String>([]).matches(in: "anything").isEmpty)
        let matcher = PhraseMatcher([("!!!", "x")])
        #expect(matcher.isEmpty)
        #expect(matcher.matches(in: "wow!!!").isEmpty)
    }

    /// Over text of a few letters, separators and the phrases' characters: every occurrence in the text with the
    /// separators taken out is found, and nothing else.
    @Test func agreesWithANaiveSearchOnRandomText() async {
        let alphabet: [Character] = Array("ab发货 ,")
        let texts = Gen<Character?>.element(of: alphabet).map { $0 ?? " " }.string(of: 0...30)
        let phrases = ["发货", "货发", "发", "发货发"]
        let matcher = PhraseMatcher(phrases.map { ($0, $0) })
        await propertyCheck(count: 300, input: texts) { text in
            let folded = String(text.filter { $0 != " " && $0 != "," })
            let found = matcher.matches(in: text)
            for phrase in phrases {
                #expect(
                    found.filter { $0.value == phrase }.count == Self.occurrences(of: phrase, in: folded), "\(phrase) in \(text)")
            }
        }
    }

    static func occurrences(of phrase: String, in text: String) -> Int {
        let characters = Array(text), target = Array(phrase)
        guard characters.count >= target.count else { return 0 }
        return (0...(characters.count - target.count)).filter { Array(characters[$0..<$0 + target.count]) == target }.count
    }
}

@Suite struct SearchTermsTests {
    @Test func chineseIsIndexedByCharacterPairsAndSingleCharacters() {
        let stored = Set(SearchTerms.index("我想退款"))
        for query in ["退款", "想退", "退", "我想退款"] {
            #expect(Set(SearchTerms.query(query)).isSubset(of: stored), "\(query)")
        }
        #expect(!Set(SearchTerms.query("款退")).isSubset(of: stored))
    }

    @Test func formsAndEnglishInflectionsMeet() {
        #expect(SearchTerms.query("訂單") == SearchTerms.query("订单"))
        #expect(SearchTerms.query("ＰＡＲＣＥＬＳ") == SearchTerms.query("parcel"))
        #expect(Set(SearchTerms.query("order 123456")).isSubset(of: Set(SearchTerms.index("Where is ORDER 123456?"))))
    }

    @Test func everyTermIsPlainLowercaseASCII() {
        for text in ["退款 refund", "xbox", "Ünïcödé 東京", "emoji 😀 ok", "x1"] {
            for term in SearchTerms.index(text) {
                #expect(term.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) }, "\(term) of \(text)")
            }
        }
        #expect(SearchTerms.index("xbox") != ["xbox"], "a word starting with x is encoded so it cannot collide with hex")
    }
}
