import Foundation

/// The kinds of value a flow can ask for, each with a validator that also finds the value inside free text.
public enum SlotKind: String, Sendable, Codable, CaseIterable {
    case orderNumber = "order_number"
    case phone
    case email
    case date
    case choice
    case amount
    case text
}

/// Finds slot values in what customers write ("我的订单 123456 还没到" → order number 123456).
public struct SlotExtractor: Sendable {
    /// Today, for relative dates; injected so results are reproducible.
    public var today: Date
    public var calendar: Calendar

    public init(today: Date = Date(), timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai") ?? .gmt) {
        self.today = today
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The first value of that kind in the text, normalised (dates as YYYY-MM-DD, amounts as a decimal string).
    public func extract(_ kind: SlotKind, from text: String, options: [String] = []) -> String? {
        let t = TextNormalizer().normalize(text)
        switch kind {
        case .orderNumber: return first(#"(?<![0-9])[0-9]{6,20}(?![0-9])"#, in: t)
        case .phone:
            if let mobile = first(#"(?<![0-9])1[3-9][0-9]{9}(?![0-9])"#, in: t) { return mobile }
            return first(#"\+[0-9][0-9 \-]{6,18}[0-9]"#, in: t)?.replacingOccurrences(of: " ", with: "").replacingOccurrences(
                of: "-", with: "")
        case .email: return first(#"[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}"#, in: t)
        case .date: return date(in: t)
        case .amount:
            guard let raw = first(#"(?<![0-9.])[0-9]+(\.[0-9]{1,2})?(?![0-9])"#, in: t), let value = Decimal(string: raw) else {
                return nil
            }
            return "\(value)"
        case .choice:
            return options.first { t.contains(TextNormalizer().normalize($0)) }
        case .text:
            return t.isEmpty ? nil : text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    private func first(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
        let range = NSRange(text.startIndex..., in: text)
        guard let match = regex.firstMatch(in: text, range: range), let r = Range(match.range, in: text) else { return nil }
        return String(text[r])
    }

    private func date(in t: String) -> String? {
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        if let iso = first(#"20[0-9]{2}[-/.年][01]?[0-9][-/.月][0-3]?[0-9]日?"#, in: t) {
            let parts = iso.split(whereSeparator: { "-/.年月日".contains($0) }).compactMap { Int($0) }
            if parts.count == 3, let d = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
                calendar.component(.day, from: d) == parts[2]
            {
                return formatter.string(from: d)
            }
        }
        let relative: [(String, Int)] = [
            ("大后天", 3), ("后天", 2), ("明天", 1), ("今天", 0), ("day after tomorrow", 2), ("tomorrow", 1), ("today", 0),
        ]
        for (word, days) in relative where t.contains(word) {
            return calendar.date(byAdding: .day, value: days, to: today).map(formatter.string)
        }
        let weekdays: [(String, Int)] = [
            ("一", 2), ("二", 3), ("三", 4), ("四", 5), ("五", 6), ("六", 7), ("日", 1), ("天", 1),
        ]
        let english = ["sunday": 1, "monday": 2, "tuesday": 3, "wednesday": 4, "thursday": 5, "friday": 6, "saturday": 7]
        var target: (weekday: Int, nextWeek: Bool)?
        for (suffix, weekday) in weekdays {
            if t.contains("下周" + suffix) || t.contains("下星期" + suffix) {
                target = (weekday, true)
            } else if t.contains("周" + suffix) || t.contains("星期" + suffix) {
                target = target ?? (weekday, false)
            }
        }
        for (name, weekday) in english where t.contains(name) { target = target ?? (weekday, t.contains("next " + name)) }
        guard let target else { return nil }
        let current = calendar.component(.weekday, from: today)
        var days = (target.weekday - current + 7) % 7
        if target.nextWeek {
            // "下周一": the Monday of next week (weeks start on Monday).
            let mondayOffset = (current + 5) % 7
            days = 7 - mondayOffset + (target.weekday + 5) % 7
        } else if days == 0 {
            days = 7
        }
        return calendar.date(byAdding: .day, value: days, to: today).map(formatter.string)
    }
}
