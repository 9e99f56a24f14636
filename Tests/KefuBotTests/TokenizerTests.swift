import Foundation
import KefuBot
import PropertyBased
import Testing

@Suite struct NormalizerTests {
    let normalizer = TextNormalizer()

    @Test func foldsWidthCaseAndTraditionalChinese() {
        #expect(normalizer.normalize("ＡＢＣ　１２３") == "abc 123")
        #expect(normalizer.normalize("我的訂單號碼") == "我的订单号码")
        #expect(normalizer.normalize("  Hello\n\tWORLD  ") == "hello world")
    }

    @Test func foldsColloquialChinese() {
        #expect(normalizer.normalize("退款啥时候到，咋还没有") == "退款什么时候到,怎么还没有")
        #expect(normalizer.normalize("木有收到") == "没有收到")
    }

    @Test func expandsPinyinInitialsOnlyInChineseMessagesAndOnlyWholeRuns() {
        #expect(normalizer.normalize("kd到哪了") == "快递到哪了")
        #expect(normalizer.normalize("YHQ怎么用,3Q") == "优惠券怎么用,谢谢")
        #expect(normalizer.normalize("能gdz吗") == "能改地址吗")
        #expect(normalizer.normalize("ship it by friday") == "ship it by friday", "no Chinese: English left alone")
        #expect(normalizer.normalize("kdd到了吗") == "kdd到了吗", "only whole runs")
        #expect(normalizer.normalize("胸围88穿哪个码") == "胸围88穿哪个码")
        #expect(normalizer.normalize("Apple Pay 支付不成功") == "apple pay 支付不成功")
    }

    @Test func longInputIsCutAtTheDocumentedLimit() {
        let long = String(repeating: "退货", count: 60_000)
        #expect(normalizer.normalize(long).count == TextNormalizer.maxCharacters)
    }
}

@Suite struct TokenizerTests {
    let tokenizer = Tokenizer()

    func tokens(_ text: String) -> [String] { tokenizer.tokens(TextNormalizer().normalize(text)) }

    @Test func chineseGivesUnigramsAndBigrams() {
        #expect(tokens("退货") == ["退", "退货", "货"])
    }

    @Test func orderNumbersStayWholeWithAShape() {
        let t = tokens("我的订单 123456 还没到")
        #expect(t.contains("123456"))
        #expect(t.contains("#num6"))
        #expect(!t.contains("123"))
    }

    @Test func englishWordsAreLightlyStemmed() {
        #expect(tokens("Charges charged charging") == ["charg", "charg", "charg"])
        #expect(tokens("I don't have my card") == ["i", "dont", "have", "my", "card"])
    }

    @Test func mixedTextSplitsByScript() {
        #expect(tokens("iPhone15退货") == ["iphone15", "退", "退货", "货"])
    }

    @Test func emojiAndPunctuationOnlyGiveNothing() {
        #expect(tokens("😡😡!!!???").isEmpty)
        #expect(tokens("").isEmpty)
        #expect(tokens("   ").isEmpty)
    }

    @Test func invalidUTF8BecomesReplacementCharactersNotACrash() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x61, 0x62, 0x63, 0xC3]
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(tokens(text) == ["abc"])
    }

    @Test func anyStringTokenisesWithoutCrashingAndDeterministically() async {
        await propertyCheck(count: 300, input: Texts.mixed) { text in
            let first = tokens(text)
            #expect(first == tokens(text))
            #expect(first.allSatisfy { !$0.isEmpty && !$0.contains(" ") })
        }
    }

    @Test func normalisingTwiceChangesNothing() async {
        await propertyCheck(count: 300, input: Texts.mixed) { text in
            let once = TextNormalizer().normalize(text)
            #expect(TextNormalizer().normalize(once) == once)
        }
    }
}

/// Random customer-like text: Latin, digits, CJK (simplified and traditional), full-width forms, emoji,
/// punctuation, whitespace and combining marks.
enum Texts {
    static let pool: [Character] = Array(
        "abcXYZ019 '-.,!?？！。，、…退货订单號碼們到哪了钱ＡＢ１２　😀😡👍🏽\n\t\u{301}é中文\u{200B}\u{FEFF}#@/")
    static let mixed = Gen<Character?>.element(of: pool).map { $0 ?? " " }.string(of: 0...60)
}
