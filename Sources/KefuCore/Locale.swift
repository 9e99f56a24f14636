/// The interface languages Kefu ships catalogues for.
public enum UILocale: String, Codable, Sendable, CaseIterable {
    case en
    case zhCN = "zh-CN"

    /// The language a text with nothing else to go by is written in: Chinese when it has Han characters (a ticket's
    /// subject, a workspace's name typed at the command line), else English.
    public static func written(in text: String) -> UILocale {
        text.unicodeScalars.contains { (0x3400...0x9FFF).contains($0.value) || (0xF900...0xFAFF).contains($0.value) }
            ? .zhCN : .en
    }

    /// Picks the best supported locale from an `Accept-Language` header value.
    public static func negotiate(acceptLanguage: String?) -> UILocale {
        guard let header = acceptLanguage else { return .en }
        var best: (UILocale, Double)?
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";")
            guard let tag = pieces.first?.trimmingCharacters(in: .whitespaces).lowercased() else { continue }
            var quality = 1.0
            for p in pieces.dropFirst() {
                let kv = p.trimmingCharacters(in: .whitespaces)
                if kv.hasPrefix("q="), let q = Double(kv.dropFirst(2)) { quality = q }
            }
            let locale: UILocale? = tag.hasPrefix("zh") ? .zhCN : (tag.hasPrefix("en") ? .en : nil)
            if let locale, quality > (best?.1 ?? -1) { best = (locale, quality) }
        }
        return best?.0 ?? .en
    }

    /// Accepts stored or user-given values like "zh", "zh-cn", "en-US".
    public init?(loose: String) {
        let v = loose.lowercased()
        if v.hasPrefix("zh") { self = .zhCN } else if v.hasPrefix("en") { self = .en } else { return nil }
    }
}
