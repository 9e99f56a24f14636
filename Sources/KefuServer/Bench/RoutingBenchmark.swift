import Foundation
import KefuCore
import KefuStore
import Logging

/// `kefu bench routing`: routing decisions on a busy workspace, in-process on a real database. Seeds agents with a
/// console open (fresh connection rows) and open chats spread over them, then hands conversations over one after
/// another from several tasks at once and times each from the hand-off's transaction to the router's event being
/// published (assigned, or queued with the places announced).
public struct RoutingBenchmark: Sendable {
    public var databaseURL: String?
    public var agents = 200
    public var openChats = 5000
    public var handoffs = 1000
    public var concurrency = 4

    public init() {}

    public struct Report: Encodable, Sendable {
        public var database = ""
        public var agents = 0
        public var openChats = 0
        public var handoffs = 0
        public var assigned = 0
        public var queued = 0
        public var p50Ms = 0.0
        public var p99Ms = 0.0
        public var overCapacity = 0

        enum CodingKeys: String, CodingKey {
            case database, agents, handoffs, assigned, queued
            case openChats = "open_chats"
            case p50Ms = "p50_ms"
            case p99Ms = "p99_ms"
            case overCapacity = "over_capacity"
        }
    }

    public func run(say: @Sendable (String) -> Void) async throws -> Report {
        try await BenchDependencies.with(databaseURL: databaseURL) { deps, logger in
            try await measure(deps, logger: logger, say: say)
        }
    }

    private func measure(_ deps: AppDependencies, logger: Logger, say: @Sendable (String) -> Void) async throws -> Report {
        let store = deps.store
        let now = Date()
        let workspace = try await store.unscoped.workspaces.create(
            slug: "bench-\(UUID().uuidString.prefix(8).lowercased())", name: "Bench", defaultLocale: .zhCN, at: now)
        let data = store.scoped(to: workspace.id)
        let router = deps.conversations.router
        // Seats: the open chats plus room for most of the hand-offs, so that both outcomes are measured.
        let perAgent = (openChats + handoffs * 3 / 4 + agents - 1) / agents
        say("seeding \(agents) agents with \(perAgent) seats each and \(openChats) open chats")
        var users: [UserID] = []
        for index in 0..<agents {
            let user = try await store.unscoped.users.create(
                email: "agent\(index)@\(workspace.slug).bench.invalid", displayName: "Agent \(index)", locale: nil,
                passwordHash: "-", at: now)
            _ = try await data.members.add(userID: user.id, role: .agent, at: now)
            try await data.routing.setSettings(user.id, AgentRouting(maxChats: perAgent, skills: [], languages: []))
            try await data.routing.connections(user.id, instance: router.instance, delta: 1, at: now)
            users.append(user.id)
        }
        for index in 0..<openChats {
            let contact = try await data.contacts.create(name: "C\(index)", at: now)
            let conversation = try await data.conversations.start(
                contact: contact.id, status: .open, locale: .zhCN, team: nil, at: now)
            _ = try await data.routing.assign(conversation.id, to: users[index % agents], at: now)
        }
        var waiting: [ConversationID] = []
        for index in 0..<handoffs {
            let contact = try await data.contacts.create(name: "H\(index)", at: now)
            waiting.append(
                try await data.conversations.start(contact: contact.id, status: .bot, locale: .zhCN, team: nil, at: now).id)
        }

        say("handing over \(handoffs) conversations, \(concurrency) at a time")
        // Seeding may take longer than a connection row lives: the consoles are open, as a running server keeps them.
        try await data.routing.heartbeat(instance: router.instance, at: Date())
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(5))
                try? await data.routing.heartbeat(instance: router.instance, at: Date())
            }
        }
        defer { heartbeat.cancel() }
        let clock = ContinuousClock()
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for lane in 0..<concurrency {
                let mine = stride(from: lane, to: waiting.count, by: concurrency).map { waiting[$0] }
                group.addTask {
                    var times: [Double] = []
                    for id in mine {
                        let start = clock.now
                        let handed = try await data.transaction { tx in
                            _ = try await tx.conversations.update(id, ConversationChange(status: .open), at: Date())
                            return try await tx.routing.enqueue(id, at: Date())
                        }
                        await router.drain(workspace.id, team: handed.teamID)
                        times.append((clock.now - start).inMilliseconds)
                    }
                    return times
                }
            }
            var all: [Double] = []
            for try await times in group { all += times }
            return all
        }

        let loads = try await data.routing.loads(connectedSince: Date().addingTimeInterval(-60))
        var report = Report()
        report.database = store.location.isPostgres ? "postgresql" : "sqlite"
        report.agents = agents
        report.openChats = openChats
        report.handoffs = handoffs
        report.queued = try await data.routing.queue(team: nil, limit: handoffs + 1).count
        report.assigned = handoffs - report.queued
        report.overCapacity = loads.values.filter { $0.openChats > $0.routing.maxChats }.count
        report.p50Ms = Percentile.of(latencies, 0.5)
        report.p99Ms = Percentile.of(latencies, 0.99)
        return report
    }
}
