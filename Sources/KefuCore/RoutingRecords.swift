import Foundation

/// How an agent takes chats from routing: at most `maxChats` open at once (0: none from routing), and, when listed,
/// only conversations in one of `languages`; conversations whose intent is among `skills` go to them first.
public struct AgentRouting: Sendable, Equatable, Codable {
    public var maxChats: Int
    public var skills: [String]
    public var languages: [String]

    public init(maxChats: Int, skills: [String], languages: [String]) {
        self.maxChats = maxChats
        self.skills = skills
        self.languages = languages
    }

    public static let maxCapacity = 100
}

/// An agent routing may give a conversation to: connected, online, in the team, with their load now.
public struct RoutingCandidate: Sendable, Equatable {
    public var user: UserID
    public var name: String
    public var routing: AgentRouting
    public var openChats: Int
    public var lastRoutedAt: Date?

    public init(user: UserID, name: String, routing: AgentRouting, openChats: Int, lastRoutedAt: Date?) {
        self.user = user
        self.name = name
        self.routing = routing
        self.openChats = openChats
        self.lastRoutedAt = lastRoutedAt
    }

    /// The agent for a conversation among `candidates`: a free seat and a spoken language required; the intent's
    /// skill first, then the fewest open chats, then the one routed to longest ago (round-robin on ties).
    public static func choose(
        _ candidates: [RoutingCandidate], locale: String, intent: String?
    ) -> RoutingCandidate? {
        candidates
            .filter { $0.openChats < $0.routing.maxChats }
            .filter { $0.routing.languages.isEmpty || $0.routing.languages.contains(locale) }
            .min { a, b in
                let skilledA = intent.map { a.routing.skills.contains($0) } ?? false
                let skilledB = intent.map { b.routing.skills.contains($0) } ?? false
                if skilledA != skilledB { return skilledA }
                if a.openChats != b.openChats { return a.openChats < b.openChats }
                let lastA = a.lastRoutedAt ?? .distantPast
                let lastB = b.lastRoutedAt ?? .distantPast
                if lastA != lastB { return lastA < lastB }
                return a.user.description < b.user.description
            }
    }
}

/// A member's routing settings and load now.
public struct AgentLoadRecord: Sendable, Equatable {
    public var routing: AgentRouting
    public var openChats: Int
    public var connected: Bool

    public init(routing: AgentRouting, openChats: Int, connected: Bool) {
        self.routing = routing
        self.openChats = openChats
        self.connected = connected
    }
}

/// Where a waiting customer stands: 1 is next.
public struct QueueStanding: Sendable, Equatable, Codable {
    public var position: Int
    /// Estimated seconds until an agent takes the chat, from recent handling times; nil without history.
    public var estimatedWait: Int?
    /// Why nobody will take it soon, if so: the customer is offered to leave a message.
    public var unavailable: Unavailability?
    /// When the business opens next, while `unavailable` is `closed`.
    public var opensAt: Date?

    public init(position: Int, estimatedWait: Int?, unavailable: Unavailability? = nil, opensAt: Date? = nil) {
        self.position = position
        self.estimatedWait = estimatedWait
        self.unavailable = unavailable
        self.opensAt = opensAt
    }
}

/// Why a team cannot answer now.
public enum Unavailability: String, Sendable, Codable, Equatable {
    /// Outside the workspace's business hours (or a holiday).
    case closed
    /// Within hours, but no agent of the team has a console open and is online.
    case nobodyOnline = "nobody_online"
}

/// Whether a team answers now, and if not why and when it opens.
public struct TeamAvailability: Sendable, Equatable {
    public var unavailable: Unavailability?
    public var opensAt: Date?

    public init(unavailable: Unavailability?, opensAt: Date?) {
        self.unavailable = unavailable
        self.opensAt = opensAt
    }

    public static let available = TeamAvailability(unavailable: nil, opensAt: nil)
}
