import Foundation
import KefuCore
import KefuStore
import Logging

/// `kefu bench tickets`: a workspace with many tickets (statuses, priorities, assignees, teams, tags and SLA clocks
/// as a busy help desk has them), then the saved views as agents open them — the view list with every view's count,
/// and a view's first page with its total — timed one after another; and the SLA sweep with nothing due and with
/// a batch of clocks due at once.
public struct TicketBenchmark: Sendable {
    public var databaseURL: String?
    public var tickets = 100_000
    public var rounds = 40
    public var due = 1000

    public init() {}

    public struct Report: Encodable, Sendable {
        public var database = ""
        public var tickets = 0
        public var seedSeconds = 0.0
        public var viewListP50Ms = 0.0
        public var viewListP99Ms = 0.0
        public var viewPageP50Ms = 0.0
        public var viewPageP99Ms = 0.0
        public var sweepIdleMs = 0.0
        public var sweepDueMs = 0.0
        public var alertsRaised = 0

        enum CodingKeys: String, CodingKey {
            case database, tickets
            case seedSeconds = "seed_s"
            case viewListP50Ms = "view_list_p50_ms"
            case viewListP99Ms = "view_list_p99_ms"
            case viewPageP50Ms = "view_page_p50_ms"
            case viewPageP99Ms = "view_page_p99_ms"
            case sweepIdleMs = "sweep_idle_ms"
            case sweepDueMs = "sweep_due_ms"
            case alertsRaised = "alerts_raised"
        }
    }

    public func run(say: @Sendable (String) -> Void) async throws -> Report {
        try await BenchDependencies.with(databaseURL: databaseURL) { deps, _ in try await measure(deps, say: say) }
    }

    private func measure(_ deps: AppDependencies, say: @Sendable (String) -> Void) async throws -> Report {
        var report = Report()
        report.database = databaseURL == nil ? "sqlite" : "postgres"
        report.tickets = tickets
        let now = Date()
        let started = ContinuousClock.now
        let (workspace, agents) = try await seed(deps.store, now: now, say: say)
        report.seedSeconds = (ContinuousClock.now - started).inSeconds
        // As the server's maintenance does every 10 minutes.
        try await deps.store.optimize()
        let identity = Identity(
            user: agents[0], workspace: workspace, role: .owner,
            credential: .token(id: TokenID(), kind: .bearer, expiresAt: nil))
        let views = TicketViewService(store: deps.store, clock: deps.clock)
        var listTimes: [Double] = []
        var pageTimes: [Double] = []
        var slowest: [String: Double] = [:]
        for round in 0..<rounds {
            let listStart = ContinuousClock.now
            let counted = try await views.list(identity)
            listTimes.append((ContinuousClock.now - listStart).inMilliseconds)
            for (view, _) in counted {
                let pageStart = ContinuousClock.now
                _ = try await deps.tickets.list(identity, view.filter, page: 1 + round % 3, perPage: 25)
                pageTimes.append((ContinuousClock.now - pageStart).inMilliseconds)
                slowest[view.name] = max(slowest[view.name] ?? 0, pageTimes.last ?? 0)
            }
            for filter in [TicketFilter(tag: "refund"), TicketFilter(statuses: [.open], priorities: [.urgent])] {
                let pageStart = ContinuousClock.now
                _ = try await deps.tickets.list(identity, filter, page: 1, perPage: 25)
                pageTimes.append((ContinuousClock.now - pageStart).inMilliseconds)
                let name = filter.tag.map { "tag " + $0 } ?? "open urgent"
                slowest[name] = max(slowest[name] ?? 0, pageTimes.last ?? 0)
            }
        }
        report.viewListP50Ms = Percentile.of(listTimes, 0.5)
        report.viewListP99Ms = Percentile.of(listTimes, 0.99)
        report.viewPageP50Ms = Percentile.of(pageTimes, 0.5)
        report.viewPageP99Ms = Percentile.of(pageTimes, 0.99)
        say("slowest page per view (ms): \(slowest.sorted { $0.key < $1.key })")
        say("views: list p99 \(report.viewListP99Ms) ms, page p99 \(report.viewPageP99Ms) ms")

        let idleStart = ContinuousClock.now
        _ = try await deps.slaSweeper.sweep()
        report.sweepIdleMs = (ContinuousClock.now - idleStart).inMilliseconds
        // Make `due` clocks come due now: their tickets were created long enough ago.
        try await makeDue(deps.store, workspace: workspace.id, now: now)
        let dueStart = ContinuousClock.now
        report.alertsRaised = try await deps.slaSweeper.sweep()
        report.sweepDueMs = (ContinuousClock.now - dueStart).inMilliseconds
        say("sweep: idle \(report.sweepIdleMs) ms, \(report.alertsRaised) alerts in \(report.sweepDueMs) ms")
        return report
    }

    private func seed(_ store: Store, now: Date, say: @Sendable (String) -> Void) async throws
        -> (Workspace, [UserAccount])
    {
        let system = store.unscoped
        let workspace = try await system.workspaces.create(slug: "bench-tickets", name: "Bench", defaultLocale: .en, at: now)
        let data = store.scoped(to: workspace.id)
        var agents: [UserAccount] = []
        for index in 0..<20 {
            let user = try await system.users.create(
                email: "agent\(index)@bench.example", displayName: "Agent \(index)", locale: nil, passwordHash: "x", at: now)
            _ = try await data.members.add(userID: user.id, role: index == 0 ? .owner : .agent, at: now)
            agents.append(user)
        }
        let teams = [
            try await data.teams.create(name: "Pre-sales", at: now), try await data.teams.create(name: "After-sales", at: now),
        ]
        var contacts: [ContactID] = []
        for _ in 0..<2000 { contacts.append(try await data.contacts.create(name: nil, at: now).id) }
        let statuses: [TicketStatus] = [.new, .open, .open, .open, .pending, .onHold, .solved, .solved, .solved, .closed]
        let tags = ["refund", "shipping", "invoice", "damaged", "vip", "exchange"]
        let batch = 2000
        var made = 0
        while made < tickets {
            let count = min(batch, tickets - made)
            let batchSeed = UInt64(made) &+ 42
            let (first, people, requesters) = (made, agents, contacts)
            try await data.transaction { data in
                var local = SeededGenerator(seed: batchSeed)
                for offset in 0..<count {
                    let number = try await data.tickets.nextNumber()
                    let status = statuses[Int(local.next() % UInt64(statuses.count))]
                    let created = now.addingTimeInterval(-Double(local.next() % 2_592_000))
                    let priority = TicketPriority.allCases[Int(local.next() % 4)]
                    var timers: [SLATimer] = []
                    if status.isActive {
                        // Due from an hour ago (breached, 3%) to a week ahead.
                        var timer = SLATimer.started(
                            .resolution, targetSeconds: 8 * 3600, warnBeforeSeconds: 1800, at: now, calendar: .always)
                        timer.dueAt = now.addingTimeInterval(3600 + Double(local.next() % 604_800))
                        timer.warnAt = timer.dueAt?.addingTimeInterval(-1800)
                        if local.next() % 33 == 0 { timer.breachedAt = now.addingTimeInterval(-3600) }
                        timers = [timer]
                    }
                    let ticket = Ticket(
                        id: TicketID(), workspaceID: data.workspaceID, number: number, subject: "Ticket \(first + offset)",
                        status: status, priority: priority, type: nil,
                        tags: local.next() % 3 == 0 ? [tags[Int(local.next() % UInt64(tags.count))]] : [],
                        requesterID: requesters[Int(local.next() % UInt64(requesters.count))],
                        assigneeID: local.next() % 5 == 0 ? nil : people[Int(local.next() % UInt64(people.count))].id,
                        teamID: teams[Int(local.next() % 2)].id, conversationID: nil, source: .api, customFields: [:],
                        mergedIntoID: nil, createdAt: created, updatedAt: created, firstResponseAt: nil, solvedAt: nil)
                    try await data.tickets.insert(StoredTicket(ticket: ticket, slaPolicyID: nil, timers: timers))
                }
            }
            made += count
            if made % 20_000 == 0 { say("seeded \(made) tickets") }
        }
        return (workspace, agents)
    }

    /// Moves `due` running clocks' warning and due instants into the past.
    private func makeDue(_ store: Store, workspace: WorkspaceID, now: Date) async throws {
        let data = store.scoped(to: workspace)
        let candidates = try await data.tickets.tickets(
            TicketFilter(statuses: [.open]), me: nil, offset: 0, limit: due)
        try await data.transaction { data in
            for var stored in candidates where !stored.timers.isEmpty {
                stored.timers[0].warnAt = now.addingTimeInterval(-120)
                stored.timers[0].dueAt = now.addingTimeInterval(-60)
                stored.timers[0].warnedAt = nil
                stored.timers[0].breachedAt = nil
                try await data.tickets.save(stored)
            }
        }
    }
}

/// A small deterministic generator (SplitMix64), so every run seeds the same tickets.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
