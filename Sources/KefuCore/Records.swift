import Foundation

/// A tenant: one business with its own members, data and URL slug.
public struct Workspace: Sendable, Codable, Equatable {
    public var id: WorkspaceID
    public var slug: String
    public var name: String
    public var defaultLocale: UILocale
    public var createdAt: Date
    /// The public key the chat widget's `<script>` tag names the workspace by.
    public var widgetKey: String?
    /// Where handed-off conversations go when their intent maps to no team.
    public var defaultTeamID: TeamID?

    public init(
        id: WorkspaceID, slug: String, name: String, defaultLocale: UILocale, createdAt: Date, widgetKey: String? = nil,
        defaultTeamID: TeamID? = nil
    ) {
        self.id = id
        self.slug = slug
        self.name = name
        self.defaultLocale = defaultLocale
        self.createdAt = createdAt
        self.widgetKey = widgetKey
        self.defaultTeamID = defaultTeamID
    }
}

/// A person who can sign in; belongs to workspaces through memberships.
public struct UserAccount: Sendable, Codable, Equatable {
    public enum Status: String, Codable, Sendable { case active, disabled }

    public var id: UserID
    public var email: String
    public var displayName: String
    public var locale: UILocale?
    public var status: Status
    public var createdAt: Date

    public init(id: UserID, email: String, displayName: String, locale: UILocale?, status: Status, createdAt: Date) {
        self.id = id
        self.email = email
        self.displayName = displayName
        self.locale = locale
        self.status = status
        self.createdAt = createdAt
    }
}

/// A user's role in one workspace.
public struct Membership: Sendable, Codable, Equatable {
    public var id: MembershipID
    public var workspaceID: WorkspaceID
    public var user: UserAccount
    public var role: Role
    public var createdAt: Date

    public init(id: MembershipID, workspaceID: WorkspaceID, user: UserAccount, role: Role, createdAt: Date) {
        self.id = id
        self.workspaceID = workspaceID
        self.user = user
        self.role = role
        self.createdAt = createdAt
    }
}

/// A group of agents that conversations can be routed to.
public struct Team: Sendable, Codable, Equatable {
    public var id: TeamID
    public var workspaceID: WorkspaceID
    public var name: String
    public var createdAt: Date

    public init(id: TeamID, workspaceID: WorkspaceID, name: String, createdAt: Date) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.createdAt = createdAt
    }
}

/// What the API shows about a personal or bearer token; never the secret itself.
public struct APITokenInfo: Sendable, Codable, Equatable {
    public enum Kind: String, Codable, Sendable { case personal, bearer }

    public var id: TokenID
    public var workspaceID: WorkspaceID
    public var userID: UserID
    public var name: String
    public var kind: Kind
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(
        id: TokenID, workspaceID: WorkspaceID, userID: UserID, name: String, kind: Kind, createdAt: Date, expiresAt: Date?,
        lastUsedAt: Date?, revokedAt: Date?
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.userID = userID
        self.name = name
        self.kind = kind
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// A pending one-time invitation to join a workspace.
public struct Invitation: Sendable, Codable, Equatable {
    public var id: InvitationID
    public var workspaceID: WorkspaceID
    public var email: String
    public var role: Role
    /// Who made it; their right to grant `role` is checked again when it is accepted.
    public var invitedBy: UserID?
    public var expiresAt: Date
    public var acceptedAt: Date?
    public var revokedAt: Date?
    public var createdAt: Date

    public init(
        id: InvitationID, workspaceID: WorkspaceID, email: String, role: Role, invitedBy: UserID?, expiresAt: Date,
        acceptedAt: Date?, revokedAt: Date?, createdAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.email = email
        self.role = role
        self.invitedBy = invitedBy
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
        self.revokedAt = revokedAt
        self.createdAt = createdAt
    }
}

/// One line of the append-only audit log.
public struct AuditEvent: Sendable, Codable, Equatable {
    public var id: AuditEventID
    public var workspaceID: WorkspaceID?
    public var actorUserID: UserID?
    public var actorLabel: String?
    public var action: AuditAction
    public var target: String?
    public var ip: String?
    public var before: String?
    public var after: String?
    public var createdAt: Date

    public init(
        id: AuditEventID, workspaceID: WorkspaceID?, actorUserID: UserID?, actorLabel: String?, action: AuditAction,
        target: String?,
        ip: String?, before: String?, after: String?, createdAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.actorUserID = actorUserID
        self.actorLabel = actorLabel
        self.action = action
        self.target = target
        self.ip = ip
        self.before = before
        self.after = after
        self.createdAt = createdAt
    }
}
