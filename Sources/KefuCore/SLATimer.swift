import Foundation

/// What an SLA target measures.
public enum SLAMetric: String, Codable, Sendable, CaseIterable {
    /// Until an agent's first public reply (not a note, not an automatic message).
    case firstResponse = "first_response"
    /// Until the ticket is solved; a reopened ticket goes on counting from where it stopped.
    case resolution
}

/// A raised SLA alert: the warning before a breach, or the breach.
public enum SLAAlert: String, Codable, Sendable, CaseIterable {
    case warning, breach
}

/// One running, paused or stopped SLA clock of a ticket. Pure: every change takes the instant and the calendar the
/// target is measured in (`BusinessHours.always` for calendar hours), so the sweep, the API and tests agree.
///
/// Business time counted so far is `consumedSeconds` plus, while running, the business time since `runningSince`.
/// `dueAt` and `warnAt` are derived when the clock (re)starts, so finding what is due is an indexed comparison.
public struct SLATimer: Codable, Equatable, Sendable {
    public var metric: SLAMetric
    /// The target in business seconds.
    public var targetSeconds: Int
    /// How long before the target the warning goes out, in business seconds.
    public var warnBeforeSeconds: Int
    public var consumedSeconds: Double
    public var runningSince: Date?
    public var dueAt: Date?
    public var warnAt: Date?
    public var warnedAt: Date?
    public var breachedAt: Date?
    /// When the measured thing happened (first reply, solved), or the ticket closed; nil while counting or paused.
    public var stoppedAt: Date?

    public enum State: String, Sendable { case running, paused, stopped }

    public var state: State {
        if stoppedAt != nil { return .stopped }
        return runningSince == nil ? .paused : .running
    }

    public init(metric: SLAMetric, targetSeconds: Int, warnBeforeSeconds: Int) {
        self.metric = metric
        self.targetSeconds = targetSeconds
        self.warnBeforeSeconds = warnBeforeSeconds
        consumedSeconds = 0
    }

    /// A clock that starts counting at `at`.
    public static func started(
        _ metric: SLAMetric, targetSeconds: Int, warnBeforeSeconds: Int, at: Date, calendar: BusinessHours
    ) -> SLATimer {
        var timer = SLATimer(metric: metric, targetSeconds: targetSeconds, warnBeforeSeconds: warnBeforeSeconds)
        timer.resume(at: at, calendar: calendar)
        return timer
    }

    /// Business seconds counted up to `at`.
    public func elapsed(at: Date, calendar: BusinessHours) -> Double {
        guard let since = runningSince else { return consumedSeconds }
        return consumedSeconds + calendar.businessSeconds(from: since, to: max(at, since))
    }

    /// Business seconds left before the target (negative once past it).
    public func remaining(at: Date, calendar: BusinessHours) -> Double {
        Double(targetSeconds) - elapsed(at: at, calendar: calendar)
    }

    /// Stops counting for now (the ticket waits on the customer or a third party). Paused past its due instant
    /// before a sweep saw it, the clock is breached now (else no view would show it until it resumed).
    @discardableResult
    public mutating func pause(at: Date, calendar: BusinessHours) -> [SLAAlert] {
        guard state == .running else { return [] }
        var alerts: [SLAAlert] = []
        if breachedAt == nil, let dueAt, dueAt <= at {
            breachedAt = dueAt
            alerts.append(.breach)
        }
        consumedSeconds = elapsed(at: at, calendar: calendar)
        runningSince = nil
        dueAt = nil
        warnAt = nil
        return alerts
    }

    /// Counts again from `at`, also after a stop (a reopened ticket's resolution clock).
    public mutating func resume(at: Date, calendar: BusinessHours) {
        guard state != .running else { return }
        stoppedAt = nil
        runningSince = at
        schedule(from: at, calendar: calendar)
    }

    /// The measured thing happened at `at` (or the ticket closed): the clock keeps its count; a stop after the due
    /// instant is a breach even if no sweep saw it.
    @discardableResult
    public mutating func stop(at: Date, calendar: BusinessHours) -> [SLAAlert] {
        guard state != .stopped else { return [] }
        consumedSeconds = elapsed(at: at, calendar: calendar)
        var alerts: [SLAAlert] = []
        let pastDue = dueAt.map { $0 <= at } ?? false
        if breachedAt == nil && (pastDue || consumedSeconds > Double(targetSeconds)) {
            breachedAt = dueAt.map { min($0, at) } ?? at
            alerts.append(.breach)
        }
        runningSince = nil
        dueAt = nil
        warnAt = nil
        stoppedAt = at
        return alerts
    }

    /// A new target (the ticket's priority changed): the count so far stays; due and warning move.
    public mutating func retarget(_ seconds: Int, warnBeforeSeconds: Int, at: Date, calendar: BusinessHours) {
        guard seconds != targetSeconds || warnBeforeSeconds != self.warnBeforeSeconds else { return }
        if state == .running {
            consumedSeconds = elapsed(at: at, calendar: calendar)
            runningSince = at
        }
        targetSeconds = seconds
        self.warnBeforeSeconds = warnBeforeSeconds
        if breachedAt == nil { warnedAt = nil }
        if state == .running { schedule(from: at, calendar: calendar) }
    }

    /// The alerts due at `at` that were not raised yet, marked as raised.
    public mutating func check(at: Date) -> [SLAAlert] {
        var alerts: [SLAAlert] = []
        if warnedAt == nil, breachedAt == nil, let warnAt, warnAt <= at {
            warnedAt = at
            alerts.append(.warning)
        }
        if breachedAt == nil, let dueAt, dueAt <= at {
            breachedAt = dueAt
            alerts.append(.breach)
        }
        return alerts
    }

    /// The next instant `check` would raise something; nil when nothing more can happen until the clock changes.
    public var nextCheckAt: Date? {
        guard state == .running, breachedAt == nil else { return nil }
        if warnedAt == nil, let warnAt { return min(warnAt, dueAt ?? warnAt) }
        return dueAt
    }

    private mutating func schedule(from at: Date, calendar: BusinessHours) {
        // Already past the target or the warning (a lowered target): due at once, not at the next opening.
        let left = Double(targetSeconds) - consumedSeconds
        let warnLeft = left - Double(warnBeforeSeconds)
        dueAt = left <= 0 ? at : calendar.date(addingBusinessSeconds: left, to: at)
        warnAt = warnLeft <= 0 ? at : calendar.date(addingBusinessSeconds: warnLeft, to: at)
    }
}
