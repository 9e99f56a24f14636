import Foundation
import KefuCore
import KefuStore

/// What admins set for routing (agents' capacity, skills and languages; who is in which team) and what supervisors
/// watch (the queues). Every change that may free a seat lets the router assign waiting chats at once.
struct RoutingService: Sendable {
    let store: Store
    let clock: WallClock
    let router: ChatRouter
    static let maxSkills = 20
    var audit: AuditTrail { AuditTrail(clock: clock) }

    func settings(_ actor: Identity, _ user: UserID) async throws -> AgentRouting {
        try await store.scoped(to: actor.workspace.id).routing.settings(user)
    }

    /// Lowering capacity below the agent's open chats keeps them; they just get no new ones until below it.
    func setSettings(_ actor: Identity, _ user: UserID, _ wanted: AgentRouting, ip: String?) async throws -> AgentRouting {
        let routing = try Self.validated(wanted)
        try await store.scoped(to: actor.workspace.id).transaction { [audit] data in
            guard let member = try await data.members.membership(userID: user) else { throw DomainError.notFound(.member) }
            let before = try await data.routing.settings(user)
            try await data.routing.setSettings(user, routing)
            try await data.audit.append(
                audit.event(
                    .memberRoutingChanged, actor: actor.user, target: member.user.email, ip: ip,
                    before: Self.json(before), after: Self.json(routing)))
        }
        await router.drainAll(actor.workspace.id)
        return routing
    }

    static func json(_ routing: AgentRouting) -> String {
        AuditTrail.json([
            "max_chats": String(routing.maxChats), "skills": routing.skills.joined(separator: ","),
            "languages": routing.languages.joined(separator: ","),
        ])
    }

    static func validated(_ routing: AgentRouting) throws -> AgentRouting {
        var errors = ValidationErrors()
        if !(0...AgentRouting.maxCapacity).contains(routing.maxChats) {
            errors.add("max_chats", .number(min: 0, max: Double(AgentRouting.maxCapacity)))
        }
        var skills: [String] = []
        for skill in routing.skills {
            do {
                let name = try Validate.name(skill, field: "skills")
                if !skills.contains(name) { skills.append(name) }
            } catch let issue as ValidationErrors {
                for (field, problem) in issue.issues { errors.add(field, problem) }
            }
        }
        if skills.count > maxSkills { errors.add("skills", .itemCount(min: 0, max: maxSkills)) }
        let known = UILocale.allCases.map(\.rawValue)
        if routing.languages.contains(where: { !known.contains($0) }) { errors.add("languages", .oneOf(known)) }
        try errors.throwIfAny()
        var languages: [String] = []
        for language in routing.languages where !languages.contains(language) { languages.append(language) }
        return AgentRouting(maxChats: routing.maxChats, skills: skills, languages: languages)
    }

    struct TeamQueue: Sendable {
        var team: Team?
        var waiting: [(Conversation, QueueStanding)]
    }

    struct AgentLoad: Sendable {
        var member: Membership
        var routing: AgentRouting
        var openChats: Int
        var connected: Bool
    }

    /// Every team's queue in order (and the queue of conversations in no team), and every member's load.
    func overview(_ actor: Identity) async throws -> (queues: [TeamQueue], agents: [AgentLoad]) {
        let data = store.scoped(to: actor.workspace.id)
        let teams = try await data.teams.list()
        var queues: [TeamQueue] = []
        for team in [nil] + teams.map(Optional.some) {
            let ids = try await data.routing.queue(team: team?.id, limit: ChatRouter.announced)
            var waiting: [(Conversation, QueueStanding)] = []
            for (index, id) in ids.enumerated() {
                let conversation = try await data.conversations.conversation(id)
                waiting.append((conversation, QueueStanding(position: index + 1, estimatedWait: nil)))
            }
            if team != nil || !waiting.isEmpty { queues.append(TeamQueue(team: team, waiting: waiting)) }
        }
        let loads = try await data.routing.loads(connectedSince: router.connectedSince)
        var agents: [AgentLoad] = []
        var after: String? = nil
        while true {
            let page = try await data.members.list(after: after, limit: 100)
            for member in page {
                let load = loads[member.user.id]
                agents.append(
                    AgentLoad(
                        member: member, routing: load?.routing ?? AgentRouting(maxChats: 0, skills: [], languages: []),
                        openChats: load?.openChats ?? 0, connected: load?.connected ?? false))
            }
            guard page.count == 100, let last = page.last else { break }
            after = last.user.email
        }
        return (queues, agents)
    }

    func loads(_ actor: Identity) async throws -> [UserID: AgentLoadRecord] {
        try await store.scoped(to: actor.workspace.id).routing.loads(connectedSince: router.connectedSince)
    }

    func teamMembers(_ actor: Identity, _ team: TeamID) async throws -> [UserID] {
        try await store.scoped(to: actor.workspace.id).teams.members(of: team)
    }

    func addToTeam(_ actor: Identity, _ team: TeamID, _ user: UserID, ip: String?) async throws {
        try await store.scoped(to: actor.workspace.id).transaction { [audit] data in
            guard let member = try await data.members.membership(userID: user) else { throw DomainError.notFound(.member) }
            guard !(try await data.teams.members(of: team)).contains(user) else { return }
            try await data.teams.addMember(teamID: team, userID: user)
            try await data.audit.append(
                audit.event(
                    .teamMemberAdded, actor: actor.user, target: member.user.email, ip: ip,
                    after: AuditTrail.json(["team_id": team.description])))
        }
        events(actor)
        await router.drainAll(actor.workspace.id)
    }

    func removeFromTeam(_ actor: Identity, _ team: TeamID, _ user: UserID, ip: String?) async throws {
        try await store.scoped(to: actor.workspace.id).transaction { [audit] data in
            guard let member = try await data.members.membership(userID: user) else { throw DomainError.notFound(.member) }
            guard try await data.teams.removeMember(teamID: team, userID: user) else { throw DomainError.notFound(.member) }
            try await data.audit.append(
                audit.event(
                    .teamMemberRemoved, actor: actor.user, target: member.user.email, ip: ip,
                    before: AuditTrail.json(["team_id": team.description])))
        }
        events(actor)
    }

    /// Team membership decides which conversations agents see: open consoles reload it.
    private func events(_ actor: Identity) {
        router.events.publish(.accessChanged(actor.workspace.id))
    }
}
