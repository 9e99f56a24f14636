import Foundation

public typealias SLAPolicyID = TypedID<SLAPolicy>

/// First-response and resolution targets per priority, in the workspace's business hours or calendar hours,
/// for every ticket or one team's. The most specific enabled policy applies: the ticket's team's, else the
/// workspace-wide one.
public struct SLAPolicy: Sendable, Codable, Equatable {
    public struct Target: Sendable, Codable, Equatable {
        public var priority: TicketPriority
        /// Minutes; nil when the metric has no target at this priority.
        public var firstResponseMinutes: Int?
        public var resolutionMinutes: Int?

        public init(priority: TicketPriority, firstResponseMinutes: Int?, resolutionMinutes: Int?) {
            self.priority = priority
            self.firstResponseMinutes = firstResponseMinutes
            self.resolutionMinutes = resolutionMinutes
        }
    }

    public var id: SLAPolicyID
    public var workspaceID: WorkspaceID
    public var name: String
    public var teamID: TeamID?
    /// Count only while the business is open (its business hours), or every hour.
    public var businessHours: Bool
    public var warnBeforeMinutes: Int
    public var targets: [Target]
    public var enabled: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public static let maxMinutes = 525_600  // a year

    public init(
        id: SLAPolicyID, workspaceID: WorkspaceID, name: String, teamID: TeamID?, businessHours: Bool,
        warnBeforeMinutes: Int, targets: [Target], enabled: Bool, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.teamID = teamID
        self.businessHours = businessHours
        self.warnBeforeMinutes = warnBeforeMinutes
        self.targets = targets
        self.enabled = enabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The target in seconds for a metric at a priority, if any.
    public func targetSeconds(_ metric: SLAMetric, _ priority: TicketPriority) -> Int? {
        guard let target = targets.first(where: { $0.priority == priority }) else { return nil }
        let minutes = metric == .firstResponse ? target.firstResponseMinutes : target.resolutionMinutes
        return minutes.map { $0 * 60 }
    }

    /// The calendar targets are measured in.
    public func calendar(_ workspaceHours: BusinessHours) -> BusinessHours {
        businessHours ? workspaceHours : .always
    }

    /// Targets that are not positive, too long, or a priority named twice.
    public static func issues(_ targets: [Target], warnBeforeMinutes: Int) -> ValidationErrors {
        var errors = ValidationErrors()
        if targets.isEmpty { errors.add("targets", .itemCount(min: 1, max: TicketPriority.allCases.count)) }
        if Set(targets.map(\.priority)).count != targets.count { errors.add("targets", .duplicate) }
        for target in targets {
            let minutes = [target.firstResponseMinutes, target.resolutionMinutes].compactMap { $0 }
            if minutes.isEmpty || minutes.contains(where: { $0 <= 0 || $0 > maxMinutes }) {
                errors.add("targets", .number(min: 1, max: Double(maxMinutes)))
            }
        }
        if warnBeforeMinutes < 0 || warnBeforeMinutes > maxMinutes {
            errors.add("warn_before_minutes", .number(min: 0, max: Double(maxMinutes)))
        }
        return errors
    }

    /// The policy for a ticket of `team`: that team's enabled policy, else the workspace-wide enabled one.
    public static func applicable(_ policies: [SLAPolicy], team: TeamID?) -> SLAPolicy? {
        let enabled = policies.filter(\.enabled)
        if let team, let own = enabled.first(where: { $0.teamID == team }) { return own }
        return enabled.first { $0.teamID == nil }
    }
}

/// What happened to a ticket that moves its SLA clocks.
public enum SLAChange: Sendable, Equatable {
    case created(TicketStatus)
    case status(from: TicketStatus, to: TicketStatus)
    /// An agent's public reply; notes, the requester's replies and automatic messages are not this.
    case agentReplied
    /// The priority or the applicable policy changed; `firstResponded` says whether a first reply was given.
    case retargeted(firstResponded: Bool, status: TicketStatus)
}

/// How a ticket's clocks follow its life: pure, so the rules are tested without a database.
public enum TicketSLA {
    /// The clocks after `change`, and the alerts it raised (a stop past the due instant is a breach).
    public static func apply(
        _ change: SLAChange, to timers: [SLATimer], policy: SLAPolicy?, priority: TicketPriority, at: Date,
        hours: BusinessHours
    ) -> (timers: [SLATimer], alerts: [(SLAMetric, SLAAlert)]) {
        var timers = timers
        var alerts: [(SLAMetric, SLAAlert)] = []
        let calendar = policy?.calendar(hours) ?? .always
        let warnBefore = (policy?.warnBeforeMinutes ?? 0) * 60
        func update(_ metric: SLAMetric, _ body: (inout SLATimer) -> [SLAAlert]) {
            guard let index = timers.firstIndex(where: { $0.metric == metric }) else { return }
            alerts += body(&timers[index]).map { (metric, $0) }
        }
        switch change {
        case .created(let status):
            guard let policy else { return ([], []) }
            timers = SLAMetric.allCases.compactMap { metric in
                guard let target = policy.targetSeconds(metric, priority) else { return nil }
                var timer = SLATimer(metric: metric, targetSeconds: target, warnBeforeSeconds: warnBefore)
                if status.isActive { timer.resume(at: at, calendar: calendar) }
                return timer
            }
        case .status(let from, let to):
            for metric in SLAMetric.allCases {
                update(metric) { timer in
                    if to.isDone { return timer.stop(at: at, calendar: calendar) }
                    if to.isWaiting {
                        // A solved ticket set back to pending keeps waiting; a running one pauses.
                        if timer.state == .stopped && from.isDone && metric == .resolution { timer.stoppedAt = nil }
                        return timer.pause(at: at, calendar: calendar)
                    }
                    // Active again: paused clocks resume; a reopened ticket resumes resolution only.
                    if timer.state == .paused || (from.isDone && metric == .resolution) {
                        timer.resume(at: at, calendar: calendar)
                    }
                    return []
                }
            }
        case .agentReplied:
            update(.firstResponse) { $0.stop(at: at, calendar: calendar) }
        case .retargeted(let firstResponded, let status):
            for metric in SLAMetric.allCases {
                let target = policy?.targetSeconds(metric, priority)
                if let index = timers.firstIndex(where: { $0.metric == metric }) {
                    if let target {
                        timers[index].retarget(target, warnBeforeSeconds: warnBefore, at: at, calendar: calendar)
                    } else if timers[index].breachedAt == nil {
                        timers.remove(at: index)
                    }
                } else if let target, metric == .resolution || !firstResponded {
                    var timer = SLATimer(metric: metric, targetSeconds: target, warnBeforeSeconds: warnBefore)
                    if status.isActive { timer.resume(at: at, calendar: calendar) }
                    if status.isDone { timer.stoppedAt = at }
                    timers.append(timer)
                }
            }
        }
        return (timers, alerts)
    }

    /// Alerts due at `at` on running clocks (the sweep's work for one ticket).
    public static func check(_ timers: [SLATimer], at: Date) -> (timers: [SLATimer], alerts: [(SLAMetric, SLAAlert)]) {
        var timers = timers
        var alerts: [(SLAMetric, SLAAlert)] = []
        for index in timers.indices where timers[index].state == .running {
            alerts += timers[index].check(at: at).map { (timers[index].metric, $0) }
        }
        return (timers, alerts)
    }

    /// The earliest instant any clock needs checking.
    public static func nextCheckAt(_ timers: [SLATimer]) -> Date? {
        timers.compactMap(\.nextCheckAt).min()
    }
}
