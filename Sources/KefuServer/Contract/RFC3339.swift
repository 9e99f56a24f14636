import Foundation

/// RFC 3339 date-times as JSON Schema's `date-time` means them: any offset up to ±23:59 (Foundation's ISO-8601
/// parser refuses offsets beyond a real time zone's ±18 hours), fractional seconds, `Z`, `T` or `t`.
enum RFC3339 {
    static func parse(_ text: String) -> Date? {
        let s = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= s.count else { return nil }
            var value = 0
            for i in range {
                guard (48...57).contains(s[i]) else { return nil }
                value = value * 10 + Int(s[i] - 48)
            }
            return value
        }
        guard s.count >= 20, s[4] == 45, s[7] == 45, [84, 116].contains(s[10]), s[13] == 58, s[16] == 58,
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        var i = 19
        var fraction = 0.0
        if s[i] == 46 {
            var scale = 0.1
            i += 1
            let start = i
            while i < s.count, (48...57).contains(s[i]) {
                fraction += Double(s[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < s.count else { return nil }
        var offset = 0
        if s[i] == 90 || s[i] == 122 {
            guard i + 1 == s.count else { return nil }
        } else {
            guard s[i] == 43 || s[i] == 45, i + 6 == s.count, s[i + 3] == 58, let oh = number(i + 1..<i + 3),
                let om = number(i + 4..<i + 6), oh < 24, om < 60
            else { return nil }
            offset = (oh * 60 + om) * 60 * (s[i] == 45 ? -1 : 1)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let components = DateComponents(
            year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59))
        guard let date = calendar.date(from: components),
            calendar.component(.day, from: date) == day
        else { return nil }
        return date.addingTimeInterval(fraction - Double(offset))
    }

    /// UTC, whole seconds: `2026-11-24T09:30:00Z`.
    static func string(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
