/// The one way a number typed into a page, a form or a query becomes an `Int`: optional sign and ASCII digits only,
/// inside the range the API contract states for the field. Anything else (garbage, `1e30`, a value past `Int.max`,
/// a value outside the range) is nil, so no arithmetic downstream ever sees an unbounded number.
public enum NumberInput {
    /// Ranges shared by the pages and the API document.
    public static let page = 1...10_000
    public static let ticketNumber = 1...999_999_999
    public static let articleVersion = 1...1_000_000_000

    /// The value of `text` if it is a plain integer within `range`.
    public static func int(_ text: (some StringProtocol)?, in range: ClosedRange<Int>) -> Int? {
        guard let text, !text.isEmpty, text.utf8.count <= 20 else { return nil }
        let digits = text.utf8.first == UInt8(ascii: "-") || text.utf8.first == UInt8(ascii: "+") ? text.dropFirst() : text[...]
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int(text), range.contains(value)
        else { return nil }
        return value
    }

    /// A page number: missing or unreadable is the first page, past the last allowed page is the last allowed page.
    public static func page(_ text: (some StringProtocol)?) -> Int {
        guard let text else { return page.lowerBound }
        if let value = int(text, in: page) { return value }
        // A long run of digits is a page past the end, not the first one.
        let isLarge = !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        return isLarge && text.utf8.count > 1 && text.utf8.first != UInt8(ascii: "0") ? page.upperBound : page.lowerBound
    }

    /// A duration typed as minutes: "90", "90m", "4h", "1d", "1h30m" (units may repeat; "min" is "m"), at most
    /// `limit` minutes. `.some(nil)` for empty text (no value), nil for anything unreadable or over the limit.
    public static func minutes(_ text: String?, limit: Int) -> Int?? {
        let text = (text ?? "").lowercased().replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "min", with: "m")
        guard !text.isEmpty else { return .some(nil) }
        guard text.utf8.count <= 40 else { return nil }
        if let plain = int(text, in: 0...limit) { return plain }
        var total = 0
        var digits = ""
        for character in text {
            if character.isASCII && character.isNumber {
                digits.append(character)
                continue
            }
            guard let value = int(digits, in: 0...limit), let unit = ["d": 1440, "h": 60, "m": 1][String(character)]
            else { return nil }
            let (product, overflowed) = value.multipliedReportingOverflow(by: unit)
            let (sum, overflowedSum) = total.addingReportingOverflow(product)
            guard !overflowed, !overflowedSum, sum <= limit else { return nil }
            total = sum
            digits = ""
        }
        return digits.isEmpty ? total : nil
    }
}
