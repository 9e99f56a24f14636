import Foundation
import KefuCore
import PropertyBased
import Testing

@Suite struct SLATests {
    /// Mon–Fri 09:00–12:00 and 13:30–18:00 in Shanghai, 1 October closed.
    let shanghai = BusinessHoursTests().shanghai
    /// Every day 09:00–17:00 in New York (DST changes on 8 March and 1 November 2026).
    let newYork = BusinessHours(
        enabled: true, timeZone: "America/New_York",
        spans: Weekday.allCases.map { OpeningSpan(day: $0, open: 540, close: 1020) }, holidays: [])

    static func date(_ text: String) -> Date { BusinessHoursTests.date(text) }
    static let hour = 3600.0

    @Test func businessSecondsSkipLunchNightsWeekendsAndHolidays() {
        // Tuesday 11:00 → 14:30 local: 1 h before lunch and 1 h after.
        #expect(
            shanghai.businessSeconds(from: Self.date("2026-11-24T03:00:00Z"), to: Self.date("2026-11-24T06:30:00Z")) == 2
                * Self.hour)
        // Friday 17:00 → Monday 10:00: 1 h on Friday, 1 h on Monday.
        #expect(
            shanghai.businessSeconds(from: Self.date("2026-11-27T09:00:00Z"), to: Self.date("2026-11-30T02:00:00Z")) == 2
                * Self.hour)
        // Wednesday 30 September 17:00 → Friday 2 October 10:00 over the holiday.
        #expect(
            shanghai.businessSeconds(from: Self.date("2026-09-30T09:00:00Z"), to: Self.date("2026-10-02T02:00:00Z")) == 2
                * Self.hour)
        #expect(
            BusinessHours.always.businessSeconds(from: Self.date("2026-11-27T09:00:00Z"), to: Self.date("2026-11-30T02:00:00Z"))
                == 65 * Self.hour)
    }

    @Test func addingBusinessTimeLandsInsideOpeningHours() {
        // Friday 17:00 + 4 h → 1 h Friday, 3 h Monday from 09:00 → Monday 12:00.
        #expect(
            shanghai.date(addingBusinessSeconds: 4 * Self.hour, to: Self.date("2026-11-27T09:00:00Z"))
                == Self.date("2026-11-30T04:00:00Z"))
        // Saturday + 0 → the next opening, Monday 09:00.
        #expect(
            shanghai.date(addingBusinessSeconds: 0, to: Self.date("2026-11-28T03:00:00Z")) == Self.date("2026-11-30T01:00:00Z"))
        // New York over the autumn change: Saturday 16:00 EDT + 2 h → 1 h Saturday, Sunday 10:00 EST (15:00Z).
        #expect(
            newYork.date(addingBusinessSeconds: 2 * Self.hour, to: Self.date("2026-10-31T20:00:00Z"))
                == Self.date("2026-11-01T15:00:00Z"))
        let never = BusinessHours(enabled: true, timeZone: "UTC", spans: [], holidays: [])
        #expect(never.date(addingBusinessSeconds: 60, to: Self.date("2026-11-24T00:00:00Z")) == nil)
    }

    /// Adding N business seconds and counting them back gives N, in every calendar, across DST and holidays; and
    /// counting is additive over any split point.
    @Test func addingAndCountingAreInverse() async {
        let calendars = [shanghai, newYork, BusinessHours.always]
        let base = Self.date("2026-01-01T00:00:00Z")
        await propertyCheck(
            count: 300, input: Gen.int(in: 0..<(365 * 24 * 4)), Gen.int(in: 0...(200 * 3600)), Gen.int(in: 0...2)
        ) { quarter, seconds, which in
            let calendar = calendars[which]
            let start = base.addingTimeInterval(Double(quarter) * 900 + 17)
            guard let end = calendar.date(addingBusinessSeconds: Double(seconds), to: start) else {
                Issue.record("no end")
                return
            }
            #expect(end >= start)
            #expect(abs(calendar.businessSeconds(from: start, to: end) - Double(seconds)) < 0.001)
            let middle = start.addingTimeInterval(end.timeIntervalSince(start) / 3)
            let split = calendar.businessSeconds(from: start, to: middle) + calendar.businessSeconds(from: middle, to: end)
            #expect(abs(split - Double(seconds)) < 0.001)
        }
    }

    /// A clock paused and resumed at random moments has counted exactly the business time of its running spans, and
    /// is due when that count reaches the target.
    @Test func pausesCountOnlyRunningTime() async {
        let base = Self.date("2026-03-02T00:00:00Z")
        await propertyCheck(count: 200, input: Gen.int(in: 1...(6 * 3600)).array(of: 1...8), Gen.int(in: 0...1)) {
            steps, which in
            let calendar = which == 0 ? newYork : shanghai
            var timer = SLATimer.started(
                .resolution, targetSeconds: 40 * 3600, warnBeforeSeconds: 3600, at: base, calendar: calendar)
            var now = base
            var counted = 0.0
            var running = true
            for step in steps {
                let next = now.addingTimeInterval(Double(step) * 7)
                if running {
                    counted += calendar.businessSeconds(from: now, to: next)
                    timer.pause(at: next, calendar: calendar)
                } else {
                    timer.resume(at: next, calendar: calendar)
                }
                running.toggle()
                now = next
            }
            #expect(abs(timer.elapsed(at: now, calendar: calendar) - counted) < 0.001)
            // Past the target already: due at once.
            if running, timer.consumedSeconds >= Double(timer.targetSeconds) { #expect(timer.dueAt == timer.runningSince) }
            if running, timer.consumedSeconds < Double(timer.targetSeconds), let due = timer.dueAt {
                #expect(abs(timer.elapsed(at: due, calendar: calendar) - Double(timer.targetSeconds)) < 0.001)
                #expect(calendar.isOpen(at: due.addingTimeInterval(-1)))
            }
        }
    }

    let policy = SLAPolicy(
        id: SLAPolicyID(), workspaceID: WorkspaceID(), name: "Standard", teamID: nil, businessHours: true,
        warnBeforeMinutes: 30,
        targets: [
            .init(priority: .normal, firstResponseMinutes: 60, resolutionMinutes: 8 * 60),
            .init(priority: .urgent, firstResponseMinutes: 15, resolutionMinutes: 120),
        ], enabled: true, createdAt: .distantPast, updatedAt: .distantPast)

    func apply(_ change: SLAChange, _ timers: [SLATimer], at: String, priority: TicketPriority = .normal)
        -> ([SLATimer], [String])
    {
        let (timers, alerts) = TicketSLA.apply(
            change, to: timers, policy: policy, priority: priority, at: Self.date(at), hours: shanghai)
        return (timers, alerts.map { "\($0.0.rawValue) \($0.1.rawValue)" })
    }

    @Test func onlyAnAgentsReplyStopsFirstResponseAndPendingPausesBoth() throws {
        // Created Tuesday 10:00 local.
        var (timers, _) = apply(.created(.new), [], at: "2026-11-24T02:00:00Z")
        #expect(timers.map(\.metric) == [.firstResponse, .resolution])
        #expect(timers[0].dueAt == Self.date("2026-11-24T03:00:00Z"))
        #expect(timers[0].warnAt == Self.date("2026-11-24T02:30:00Z"))
        // 10:40: the warning, nothing else.
        var check = TicketSLA.check(timers, at: Self.date("2026-11-24T02:40:00Z"))
        #expect(check.alerts.map { "\($0.0.rawValue) \($0.1.rawValue)" } == ["first_response warning"])
        timers = check.timers
        #expect(TicketSLA.check(timers, at: Self.date("2026-11-24T02:41:00Z")).alerts.isEmpty)
        // 10:50 the agent replies: first response stops in time; resolution keeps running.
        (timers, _) = apply(.agentReplied, timers, at: "2026-11-24T02:50:00Z")
        #expect(timers[0].state == .stopped && timers[0].breachedAt == nil)
        #expect(timers[1].state == .running)
        // Pending from 11:00 to Wednesday 11:00: resolution paused, 1 h counted.
        (timers, _) = apply(.status(from: .open, to: .pending), timers, at: "2026-11-24T03:00:00Z")
        #expect(timers[1].state == .paused && timers[1].nextCheckAt == nil)
        (timers, _) = apply(.status(from: .pending, to: .open), timers, at: "2026-11-25T03:00:00Z")
        #expect(timers[1].consumedSeconds == Self.hour)
        // 7 h left from Wednesday 11:00: 1 h to 12:00, 4.5 h to 18:00, 1.5 h Thursday → 10:30.
        #expect(timers[1].dueAt == Self.date("2026-11-26T02:30:00Z"))
        check = TicketSLA.check(timers, at: Self.date("2026-11-26T02:30:00Z"))
        #expect(check.alerts.map { "\($0.0.rawValue) \($0.1.rawValue)" } == ["resolution warning", "resolution breach"])
    }

    @Test func solvingStopsTheClockAndReopeningResumesIt() {
        var (timers, _) = apply(.created(.open), [], at: "2026-11-24T02:00:00Z", priority: .urgent)
        // Solved at 11:00 (1 h, inside the 2 h target); no reply was given: first response was 15 min → breached.
        var alerts: [String]
        (timers, alerts) = apply(.status(from: .open, to: .solved), timers, at: "2026-11-24T03:00:00Z", priority: .urgent)
        #expect(alerts == ["first_response breach"])
        #expect(timers.allSatisfy { $0.state == .stopped })
        #expect(timers[1].breachedAt == nil && timers[1].consumedSeconds == Self.hour)
        // Reopened at 14:00: resolution counts on from 1 h; first response stays as it was.
        (timers, _) = apply(.status(from: .solved, to: .open), timers, at: "2026-11-24T06:00:00Z", priority: .urgent)
        #expect(timers[0].state == .stopped)
        #expect(timers[1].state == .running && timers[1].dueAt == Self.date("2026-11-24T07:00:00Z"))
        // Lowered to normal with 1 h spent: 7 h left from Tuesday 14:00 → Wednesday 12:00.
        (timers, _) = apply(.retargeted(firstResponded: true, status: .open), timers, at: "2026-11-24T06:00:00Z")
        #expect(timers[1].dueAt == Self.date("2026-11-25T04:00:00Z"))
    }

    @Test func pausingPastTheDueInstantIsABreach() {
        var (timers, _) = apply(.created(.open), [], at: "2026-11-24T02:00:00Z", priority: .urgent)
        // 15 min first response, due 10:15; set to pending at 10:30 before any sweep looked.
        var alerts: [String]
        (timers, alerts) = apply(.status(from: .open, to: .pending), timers, at: "2026-11-24T02:30:00Z", priority: .urgent)
        #expect(alerts == ["first_response breach"])
        #expect(timers[0].breachedAt == Self.date("2026-11-24T02:15:00Z") && timers[0].state == .paused)
    }

    @Test func zeroNegativeAndDuplicateTargetsAreRefused() {
        #expect(
            !SLAPolicy.issues([.init(priority: .high, firstResponseMinutes: 0, resolutionMinutes: 10)], warnBeforeMinutes: 5)
                .isEmpty)
        #expect(
            !SLAPolicy.issues([.init(priority: .high, firstResponseMinutes: -5, resolutionMinutes: nil)], warnBeforeMinutes: 5)
                .isEmpty)
        #expect(
            !SLAPolicy.issues([.init(priority: .high, firstResponseMinutes: nil, resolutionMinutes: nil)], warnBeforeMinutes: 5)
                .isEmpty)
        let twice = [SLAPolicy.Target](repeating: .init(priority: .low, firstResponseMinutes: 5, resolutionMinutes: 50), count: 2)
        #expect(!SLAPolicy.issues(twice, warnBeforeMinutes: 5).isEmpty)
        #expect(SLAPolicy.issues(policy.targets, warnBeforeMinutes: 30).isEmpty)
    }
}
