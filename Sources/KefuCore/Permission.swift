/// An action a signed-in member may perform; routes name the one they need.
public enum Permission: String, Codable, Sendable, CaseIterable {
    case viewAppShell = "app.view"
    case viewWorkspace = "workspace.read"
    case updateWorkspace = "workspace.update"
    case viewMembers = "members.read"
    case manageMembers = "members.manage"
    case manageOwnTokens = "tokens.manage_own"
    case viewAudit = "audit.read"
    case viewTeams = "teams.read"
    case manageTeams = "teams.manage"
    case viewKnowledge = "kb.read"
    case manageKnowledge = "kb.manage"
    case askBot = "bot.ask"
    case viewBot = "bot.read"
    case manageBot = "bot.manage"
    /// Conversations of the member's teams, unassigned ones and their own.
    case viewConversations = "conversations.read"
    /// Every conversation of the workspace, whatever its team.
    case viewAllConversations = "conversations.read_all"
    case replyConversations = "conversations.reply"
    /// Workspace canned replies and sensitive words.
    case manageChatSettings = "chat.manage"
    case viewTickets = "tickets.read"
    /// Open, reply to, change, merge tickets.
    case workTickets = "tickets.work"
    /// SLA policies and shared ticket views.
    case manageTicketSettings = "tickets.manage"
    /// Business actions: outgoing calls to the business's systems with stored secrets.
    case manageActions = "actions.manage"
    /// What left the process (e-mails, webhooks): see it, queue a dead one again, set the workspace's e-mail server.
    case manageDeliveries = "deliveries.manage"
}

/// The one table of which role may do what. Every permission check goes through it.
public enum PermissionTable {
    public static func allows(_ role: Role, _ permission: Permission) -> Bool {
        permissions(of: role).contains(permission)
    }

    /// The permission codes of a role, sorted; computed once.
    public static func codes(of role: Role) -> [String] {
        switch role {
        case .owner: ownerCodes
        case .admin: adminCodes
        case .supervisor: supervisorCodes
        case .agent: agentCodes
        }
    }

    private static let ownerCodes = permissions(of: .owner).map(\.rawValue).sorted()
    private static let adminCodes = permissions(of: .admin).map(\.rawValue).sorted()
    private static let supervisorCodes = permissions(of: .supervisor).map(\.rawValue).sorted()
    private static let agentCodes = permissions(of: .agent).map(\.rawValue).sorted()

    public static func permissions(of role: Role) -> Set<Permission> {
        let everyone: Set<Permission> = [
            .viewAppShell, .viewWorkspace, .viewMembers, .manageOwnTokens, .viewTeams, .viewKnowledge, .askBot, .viewBot,
            .viewConversations, .replyConversations, .viewTickets, .workTickets,
        ]
        switch role {
        case .agent:
            return everyone
        case .supervisor:
            return everyone.union([
                .manageTeams, .manageKnowledge, .manageBot, .viewAllConversations, .manageChatSettings, .manageTicketSettings,
            ])
        case .admin, .owner:
            return Set(Permission.allCases)
        }
    }

    /// Whether `actor` may give `target` to someone, or change someone who currently holds `target`.
    /// Only owners create or demote owners; admins manage everyone below owner.
    public static func canAssign(_ target: Role, by actor: Role) -> Bool {
        guard allows(actor, .manageMembers) else { return false }
        return actor == .owner || target != .owner
    }
}
