import Foundation

/// Time counted only while the business is open: what SLA targets "in business hours" are measured in.
/// Disabled hours count every second (calendar time).
extension BusinessHours {
    /// How far `date(addingBusinessSeconds:to:)` looks ahead before giving up: ten years of days.
    static let searchDays = 3660

    /// Business seconds in `[start, end)`; 0 when `end` is not after `start`.
    public func businessSeconds(from start: Date, to end: Date) -> TimeInterval {
        guard end > start else { return 0 }
        guard enabled else { return end.timeIntervalSince(start) }
        let calendar = calendar
        var total: TimeInterval = 0
        var day = calendar.startOfDay(for: start)
        while day < end {
            for interval in openIntervals(on: day, calendar: calendar) {
                let from = max(interval.start, start)
                let to = min(interval.end, end)
                if to > from { total += to.timeIntervalSince(from) }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return total
    }

    /// The instant at which `seconds` business seconds have passed since `start`: `start` itself for zero or less
    /// when open, else counting from the next opening. Nil when the calendar never opens for that long.
    public func date(addingBusinessSeconds seconds: TimeInterval, to start: Date) -> Date? {
        guard enabled else { return start.addingTimeInterval(max(seconds, 0)) }
        let calendar = calendar
        var remaining = max(seconds, 0)
        var day = calendar.startOfDay(for: start)
        for _ in 0..<Self.searchDays {
            for interval in openIntervals(on: day, calendar: calendar) where interval.end > start {
                let from = max(interval.start, start)
                let length = interval.end.timeIntervalSince(from)
                if remaining <= length { return from.addingTimeInterval(remaining) }
                remaining -= length
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = next
        }
        return nil
    }

    /// The day's opening spans as instants, in order; none on a holiday. A span that starts in a DST gap opens at
    /// the first moment after it; a span that closes at 24:00 closes at the next local midnight.
    func openIntervals(on dayStart: Date, calendar: Calendar) -> [DateInterval] {
        let local = calendar.dateComponents([.year, .month, .day, .weekday], from: dayStart)
        guard let weekday = local.weekday, !isHoliday(local) else { return [] }
        let name = Weekday(calendarWeekday: weekday)
        let nextDay = calendar.date(byAdding: .day, value: 1, to: dayStart) ?? dayStart.addingTimeInterval(86_400)
        return spans.filter { $0.day == name }.sorted { $0.open < $1.open }.compactMap { span in
            guard let open = instant(span.open, on: dayStart, nextDay: nextDay, calendar: calendar),
                let close = instant(span.close, on: dayStart, nextDay: nextDay, calendar: calendar), close > open
            else { return nil }
            return DateInterval(start: open, end: close)
        }
    }

    private func instant(_ minutes: Int, on dayStart: Date, nextDay: Date, calendar: Calendar) -> Date? {
        if minutes >= 1440 { return nextDay }
        return calendar.date(
            bySettingHour: minutes / 60, minute: minutes % 60, second: 0, of: dayStart, matchingPolicy: .nextTime)
    }
}
