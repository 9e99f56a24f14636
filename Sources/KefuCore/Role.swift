/// A member's role in a workspace, from most to least privileged.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    case owner
    case admin
    case supervisor
    case agent

    /// Lower is more privileged.
    var rank: Int {
        switch self {
        case .owner: 0
        case .admin: 1
        case .supervisor: 2
        case .agent: 3
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank > rhs.rank }
}
