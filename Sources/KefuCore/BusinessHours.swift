import Foundation

/// A day of the week as the business hours name it (ISO order, Monday first).
public enum Weekday: String, Codable, Sendable, CaseIterable {
    case mon, tue, wed, thu, fri, sat, sun

    /// `Calendar`'s numbering: 1 is Sunday.
    init(calendarWeekday: Int) {
        self = Self.allCases[(calendarWeekday + 5) % 7]
    }
}

/// One opening span of a weekday, in minutes after the local midnight: `open` included, `close` excluded
/// (1440 is midnight at the end of the day).
public struct OpeningSpan: Codable, Equatable, Sendable {
    public var day: Weekday
    public var open: Int
    public var close: Int

    public init(day: Weekday, open: Int, close: Int) {
        self.day = day
        self.open = open
        self.close = close
    }

    /// "09:00" → 540; "24:00" → 1440; anything else nil.
    public static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hours = Int(parts[0]),
            let minutes = Int(parts[1]), (0...24).contains(hours), (0...59).contains(minutes)
        else { return nil }
        let total = hours * 60 + minutes
        return total <= 1440 ? total : nil
    }

    public static func text(_ minutes: Int) -> String {
        String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }
}

/// A whole local day the business is closed, whatever the weekly hours say.
public struct Holiday: Codable, Equatable, Sendable {
    /// `YYYY-MM-DD` in the workspace's time zone.
    public var date: String
    public var name: String

    public init(date: String, name: String) {
        self.date = date
        self.name = name
    }
}

/// When people answer: weekly opening spans and holidays in the workspace's time zone. Disabled means always open.
/// Pure functions of a time, so routing, the widget and (later) SLA timers agree, and tests can move the clock.
public struct BusinessHours: Equatable, Sendable {
    public var enabled: Bool
    public var timeZone: String
    public var spans: [OpeningSpan]
    public var holidays: [Holiday]

    public static let always = BusinessHours(enabled: false, timeZone: "UTC", spans: [], holidays: [])
    public static let maxSpansPerDay = 4
    public static let maxHolidays = 400

    public init(enabled: Bool, timeZone: String, spans: [OpeningSpan], holidays: [Holiday]) {
        self.enabled = enabled
        self.timeZone = timeZone
        self.spans = spans
        self.holidays = holidays
    }

    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(secondsFromGMT: 0) ?? .current
        return calendar
    }

    public func isOpen(at time: Date) -> Bool {
        guard enabled else { return true }
        let calendar = calendar
        let local = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: time)
        guard let weekday = local.weekday, !isHoliday(local) else { return false }
        let minute = (local.hour ?? 0) * 60 + (local.minute ?? 0)
        let day = Weekday(calendarWeekday: weekday)
        return spans.contains { $0.day == day && $0.open <= minute && minute < $0.close }
    }

    /// `time` itself when open, else the next moment the business opens; nil when it never does (no spans, or every
    /// opening day of the coming year a holiday).
    public func nextOpening(after time: Date) -> Date? {
        if isOpen(at: time) { return time }
        let calendar = calendar
        let today = calendar.startOfDay(for: time)
        for offset in 0...380 {
            guard let day = calendar.date(byAdding: .day, value: offset, to: today) else { return nil }
            let local = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            guard let weekday = local.weekday, !isHoliday(local) else { continue }
            let weekdayName = Weekday(calendarWeekday: weekday)
            for span in spans.filter({ $0.day == weekdayName }).sorted(by: { $0.open < $1.open }) {
                // A span starting inside a DST gap opens at the first moment after it.
                guard
                    let opening = calendar.date(
                        bySettingHour: span.open / 60, minute: span.open % 60, second: 0, of: day,
                        matchingPolicy: .nextTime)
                else { continue }
                if opening > time { return opening }
            }
        }
        return nil
    }

    func isHoliday(_ local: DateComponents) -> Bool {
        guard !holidays.isEmpty, let year = local.year, let month = local.month, let day = local.day else { return false }
        let date = String(format: "%04d-%02d-%02d", year, month, day)
        return holidays.contains { $0.date == date }
    }

    /// `YYYY-MM-DD` that names a real day.
    public static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? .current
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components) else { return false }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        return back.year == year && back.month == month && back.day == day
    }
}
