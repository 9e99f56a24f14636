import Foundation

/// Puts customer text into one canonical form before tokenising: Unicode NFKC (which also folds full-width to
/// half-width), lower case, traditional Chinese folded to simplified for common characters, whitespace collapsed.
/// Input longer than `maxCharacters` is cut there, so work stays linear and bounded.
public struct TextNormalizer: Sendable {
    /// Characters kept from the start of a message; customer messages are far shorter.
    public static let maxCharacters = 2_000

    public init() {}

    public func normalize(_ text: String) -> String {
        let cut = text.count > Self.maxCharacters ? String(text.prefix(Self.maxCharacters)) : text
        let folded = cut.precomposedStringWithCompatibilityMapping.lowercased()
        var out = String.UnicodeScalarView()
        var lastWasSpace = true
        for scalar in folded.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.value == 0 {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
                continue
            }
            out.append(TraditionalToSimplified.table[scalar.value].flatMap(Unicode.Scalar.init) ?? scalar)
            lastWasSpace = false
        }
        if lastWasSpace, !out.isEmpty { out.removeLast() }
        return Colloquial.fold(String(out))
    }
}

/// Spoken and internet forms customers type, folded to the standard words the training data mostly uses
/// ("啥时候" → "什么时候", "咋办" → "怎么办"). Only unambiguous multi-purpose forms are listed.
enum Colloquial {
    static let forms: [(String, String)] = [
        ("肿么", "怎么"), ("咋", "怎么"), ("神马", "什么"), ("啥", "什么"), ("木有", "没有"), ("没得", "没有"), ("俺", "我"),
        ("酱紫", "这样"), ("介个", "这个"),
    ]

    static func fold(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value >= 0x4E00 }) else { return text }
        var out = text
        for (form, standard) in forms where out.contains(form) {
            out = out.replacingOccurrences(of: form, with: standard)
        }
        return out
    }
}

/// Traditional → simplified for characters customers commonly type in customer-service messages.
enum TraditionalToSimplified {
    static let table: [UInt32: UInt32] = {
        let pairs =
            "這这個个們们來来時时對对會会說说還还沒没麼么發发貨货訂订單单號号碼码運运費费換换貨货退退錢钱帳账戶户帳账"
            + "務务買买賣卖價价額额優优惠惠劵券點点開开關关閉闭寄寄遞递將将給给過过經经裡里麼么問问題题幫帮請请謝谢"
            + "聯联繫系電电話话郵邮箱箱網网頁页登登錄录碼码驗验證证綁绑機机號号簡简體体繁繁轉转務务員员傳传貼贴圖图"
            + "尺尺寸寸碼码顏颜色色質质量量壞坏損损瑕瑕疵疵維维修修保保固固廠厂商商專专櫃柜實实際际應应該该為为麼么"
            + "讓让樣样種种類类產产品品庫库存存數数據据處处理理導导致致錯错誤误響响應应慢慢長长時时間间週周內内"
            + "嗎吗呢呢啊啊吧吧嘛嘛喔哦謝谢您您們们妳你貴贵補补償偿讚赞罰罚車车輛辆駕驾駛驶計计劃划續续費费"
            + "從从後后擇择選选項项條条設设置置變变動动態态狀状況况確确認认預预約约門门鎖锁讀读寫写寶宝愛爱塊块"
            + "錢钱銀银兒儿頭头髮发飯饭館馆麵面飛飞雙双歲岁舊旧兩两滿满減减紅红綠绿藍蓝黃黄鞋鞋襪袜褲裤裙裙襯衬衫衫"
            + "總总結结義义權权責责負负擔担稅税鬧闹氣气憤愤騙骗詐诈差差勁劲爛烂態态惡恶劣劣催催急急馬马燈灯"
        var table: [UInt32: UInt32] = [:]
        let scalars = Array(pairs.unicodeScalars)
        var index = 0
        while index + 1 < scalars.count {
            if scalars[index] != scalars[index + 1] { table[scalars[index].value] = scalars[index + 1].value }
            index += 2
        }
        return table
    }()
}
