import Foundation
import KefuCore
import Testing

@Suite struct BusinessHoursTests {
    /// Mon–Fri 09:00–12:00 and 13:30–18:00 in Shanghai (UTC+8, no DST), with 1 October closed.
    let shanghai = BusinessHours(
        enabled: true, timeZone: "Asia/Shanghai",
        spans: [Weekday.mon, .tue, .wed, .thu, .fri].flatMap {
            [OpeningSpan(day: $0, open: 540, close: 720), OpeningSpan(day: $0, open: 810, close: 1080)]
        },
        holidays: [Holiday(date: "2026-10-01", name: "国庆节")])

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text) ?? .distantPast }

    @Test func disabledHoursAreAlwaysOpen() {
        let now = Self.date("2026-11-28T23:00:00Z")
        #expect(BusinessHours.always.isOpen(at: now))
        #expect(BusinessHours.always.nextOpening(after: now) == now)
    }

    @Test func openInsideSpansClosedOutsideAndOverLunch() {
        // Tuesday 2026-11-24 in Shanghai.
        #expect(shanghai.isOpen(at: Self.date("2026-11-24T01:00:00Z")))  // 09:00 local: opening minute included
        #expect(!shanghai.isOpen(at: Self.date("2026-11-24T00:59:00Z")))  // 08:59
        #expect(!shanghai.isOpen(at: Self.date("2026-11-24T04:00:00Z")))  // 12:00: closing minute excluded
        #expect(!shanghai.isOpen(at: Self.date("2026-11-24T05:00:00Z")))  // 13:00 lunch
        #expect(shanghai.isOpen(at: Self.date("2026-11-24T05:30:00Z")))  // 13:30
        #expect(!shanghai.isOpen(at: Self.date("2026-11-28T03:00:00Z")))  // Saturday 11:00
    }

    @Test func nextOpeningSkipsLunchNightsWeekendsAndHolidays() {
        #expect(shanghai.nextOpening(after: Self.date("2026-11-24T04:10:00Z")) == Self.date("2026-11-24T05:30:00Z"))
        // Friday 19:00 → Monday 09:00.
        #expect(shanghai.nextOpening(after: Self.date("2026-11-27T11:00:00Z")) == Self.date("2026-11-30T01:00:00Z"))
        // 30 September 2026 (a Wednesday) after hours → 1 October is a holiday → Friday 2 October 09:00.
        #expect(shanghai.nextOpening(after: Self.date("2026-09-30T12:00:00Z")) == Self.date("2026-10-02T01:00:00Z"))
        #expect(!shanghai.isOpen(at: Self.date("2026-10-01T02:00:00Z")))
    }

    @Test func daylightSavingTimeKeepsLocalHours() {
        // New York 09:00–17:00 every day: 13:00Z in summer (EDT), 14:00Z in winter (EST).
        let newYork = BusinessHours(
            enabled: true, timeZone: "America/New_York",
            spans: Weekday.allCases.map { OpeningSpan(day: $0, open: 540, close: 1020) }, holidays: [])
        #expect(newYork.isOpen(at: Self.date("2026-07-01T13:00:00Z")))
        #expect(!newYork.isOpen(at: Self.date("2026-12-01T13:30:00Z")))
        // Saturday 31 October (EDT) after closing → Sunday 1 November, the day clocks go back: 09:00 EST.
        #expect(newYork.nextOpening(after: Self.date("2026-10-31T22:00:00Z")) == Self.date("2026-11-01T14:00:00Z"))
        // A span starting inside the spring-forward gap (02:30 on 8 March 2026) opens at 03:00 EDT.
        let gap = BusinessHours(
            enabled: true, timeZone: "America/New_York", spans: [OpeningSpan(day: .sun, open: 150, close: 300)], holidays: [])
        #expect(gap.nextOpening(after: Self.date("2026-03-08T05:00:00Z")) == Self.date("2026-03-08T07:00:00Z"))
    }

    @Test func midnightSpansAndNeverOpening() {
        let lateNight = BusinessHours(
            enabled: true, timeZone: "UTC",
            spans: [OpeningSpan(day: .mon, open: 1320, close: 1440), OpeningSpan(day: .tue, open: 0, close: 60)],
            holidays: [])
        #expect(lateNight.isOpen(at: Self.date("2026-11-23T23:59:00Z")))
        #expect(lateNight.isOpen(at: Self.date("2026-11-24T00:30:00Z")))
        #expect(!lateNight.isOpen(at: Self.date("2026-11-24T01:00:00Z")))
        let never = BusinessHours(enabled: true, timeZone: "UTC", spans: [], holidays: [])
        #expect(!never.isOpen(at: Self.date("2026-11-24T10:00:00Z")))
        #expect(never.nextOpening(after: Self.date("2026-11-24T10:00:00Z")) == nil)
    }

    /// Whatever the moment, the next opening is open, not before it, and nothing between is open (sampled per 15 min).
    @Test func nextOpeningIsTheFirstOpenMoment() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let start = Self.date("2026-01-01T00:00:00Z").addingTimeInterval(
                Double(Int.random(in: 0..<(365 * 96), using: &generator)) * 900 + 7)
            guard let next = shanghai.nextOpening(after: start) else {
                Issue.record("no opening after \(start)")
                continue
            }
            #expect(next >= start)
            #expect(shanghai.isOpen(at: next))
            var probe = start
            while probe.addingTimeInterval(900) < next {
                probe = probe.addingTimeInterval(900)
                #expect(!shanghai.isOpen(at: probe), "open at \(probe), before the next opening \(next)")
            }
        }
    }

    @Test func timesAndDatesParseStrictly() {
        #expect(OpeningSpan.minutes("09:00") == 540)
        #expect(OpeningSpan.minutes("24:00") == 1440)
        for bad in ["9:00", "24:01", "12:60", "aa:bb", "", "12-00", "25:00"] { #expect(OpeningSpan.minutes(bad) == nil) }
        #expect(BusinessHours.isDate("2028-02-29"))
        for bad in ["2026-02-29", "2026-13-01", "26-01-01", "2026-1-01", "tomorrow"] { #expect(!BusinessHours.isDate(bad)) }
    }
}
