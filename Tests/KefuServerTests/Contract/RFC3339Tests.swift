import Foundation
import Testing

@testable import KefuServer

/// The contract's `date-time` is RFC 3339: any offset up to ±23:59, fractions, and nothing that is not a date.
@Suite struct RFC3339Tests {
    @Test func offsetsBeyondRealTimeZonesAreStillDateTimes() throws {
        let plain = try #require(RFC3339.parse("2000-01-01T01:17:22Z"))
        let far = try #require(RFC3339.parse("2000-01-01T01:17:22+21:25"))
        #expect(plain.timeIntervalSince(far) == Double(21 * 3600 + 25 * 60))
        let fraction = try #require(RFC3339.parse("2026-11-24t03:00:00.250-08:00"))
        #expect(fraction == Date(timeIntervalSince1970: 1_795_518_000.25))
    }

    @Test(arguments: [
        "", "2026-11-24", "2026-11-24T03:00:00", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-24T24:00:00Z",
        "2026-11-24T03:00:00+24:00", "2026-11-24T03:00:00.Z", "2026-11-24T03:00:00Zjunk", "２０２６-11-24T03:00:00Z",
    ])
    func notDateTimes(_ text: String) { #expect(RFC3339.parse(text) == nil) }
}
