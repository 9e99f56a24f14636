import Foundation
import KefuCore
import KefuStore

/// The workspace's business hours (who sets them: admins; who reads them: everyone, the widget included through
/// availability), the outbox of replies waiting for e-mail, and the test clock that moves business-hours time.
struct BusinessHoursService: Sendable {
    let store: Store
    let clock: WallClock
    let router: ChatRouter
    let testClock: TestClock?
    /// SLA clocks run on the same time: moving it raises what became due.
    let sla: SLASweeper
    var audit: AuditTrail { AuditTrail(clock: clock) }

    func hours(_ actor: Identity) async throws -> BusinessHours {
        try await store.scoped(to: actor.workspace.id).businessHours.get()
    }

    /// Saves valid hours (audited) and lets the router re-decide at once: opening now assigns the waiting chats,
    /// closing tells the waiting customers.
    func setHours(_ actor: Identity, _ wanted: BusinessHours, ip: String?) async throws -> BusinessHours {
        let hours = try Self.validated(wanted)
        try await store.scoped(to: actor.workspace.id).transaction { [audit, clock] data in
            let before = try await data.businessHours.get()
            try await data.businessHours.set(hours, at: clock.now())
            try await data.audit.append(
                audit.event(
                    .settingsChanged, actor: actor.user, target: "business_hours", ip: ip, before: Self.json(before),
                    after: Self.json(hours)))
        }
        await router.drainAll(actor.workspace.id)
        return hours
    }

    /// Business-hours time now, and whether it is the test clock.
    var now: (date: Date, adjustable: Bool) { (router.calendar.now(), testClock != nil) }

    /// Moves business-hours time (only with `testing.clock`), then lets every workspace's queues re-decide.
    func setTestClock(_ date: Date) async throws -> Date {
        guard let testClock else { throw DomainError.notFound(.testClock) }
        testClock.set(date)
        await router.sweepAll()
        try await sla.sweep()
        return router.calendar.now()
    }

    /// The e-mails of the delivery queue as the outbox always showed them: oldest first, `pending` until sent.
    func outbox(_ actor: Identity, status: String?, conversation: ConversationID?, limit: Int) async throws -> [Delivery] {
        let recent = try await store.scoped(to: actor.workspace.id).deliveries.list(
            status: nil, channel: .email, conversation: conversation, before: nil, limit: 200)
        return Array(
            recent.reversed().filter { status == nil || Self.outboxStatus($0.status) == status }.prefix(min(max(limit, 1), 200)))
    }

    static func outboxStatus(_ status: Delivery.Status) -> String {
        switch status {
        case .queued, .sending: "pending"
        case .delivered: "sent"
        case .dead: "failed"
        }
    }

    static func json(_ hours: BusinessHours) -> String {
        AuditTrail.json([
            "enabled": String(hours.enabled), "time_zone": hours.timeZone,
            "weekly": hours.spans.map { "\($0.day.rawValue) \(OpeningSpan.text($0.open))-\(OpeningSpan.text($0.close))" }
                .joined(separator: ","),
            "holidays": hours.holidays.map(\.date).joined(separator: ","),
        ])
    }

    static func validated(_ hours: BusinessHours) throws -> BusinessHours {
        var errors = ValidationErrors()
        if hours.timeZone.count > 64 || TimeZone(identifier: hours.timeZone) == nil { errors.add("time_zone", .pattern) }
        var spans: [OpeningSpan] = []
        for day in Weekday.allCases {
            let ofDay = hours.spans.filter { $0.day == day }.sorted { $0.open < $1.open }
            if ofDay.count > BusinessHours.maxSpansPerDay {
                errors.add("weekly", .itemCount(min: 0, max: BusinessHours.maxSpansPerDay * 7))
            }
            for (index, span) in ofDay.enumerated() {
                let inRange = (0..<1440).contains(span.open) && (1...1440).contains(span.close) && span.open < span.close
                let overlaps = index > 0 && ofDay[index - 1].close > span.open
                if !inRange || overlaps { errors.add("weekly", .pattern) }
            }
            spans += ofDay
        }
        if hours.enabled && spans.isEmpty { errors.add("weekly", .itemCount(min: 1, max: BusinessHours.maxSpansPerDay * 7)) }
        if hours.holidays.count > BusinessHours.maxHolidays {
            errors.add("holidays", .itemCount(min: 0, max: BusinessHours.maxHolidays))
        }
        var holidays: [Holiday] = []
        for holiday in hours.holidays {
            if !BusinessHours.isDate(holiday.date) { errors.add("holidays", .pattern) }
            let name = holiday.name.trimmingCharacters(in: .whitespacesAndNewlines)
            if name.count > 100 || Validate.containsControlCharacters(name) { errors.add("holidays", .length(min: 0, max: 100)) }
            if !holidays.contains(where: { $0.date == holiday.date }) { holidays.append(Holiday(date: holiday.date, name: name)) }
        }
        try errors.throwIfAny()
        return BusinessHours(
            enabled: hours.enabled, timeZone: hours.timeZone, spans: spans, holidays: holidays.sorted { $0.date < $1.date })
    }
}
