import Foundation
import Hummingbird
import KefuCore

/// API response shapes; never the stored models. Keys are snake_case on the wire.
enum DTO {
    struct User: Codable, Sendable {
        enum CodingKeys: String, CodingKey {
            case id
            case email
            case displayName = "display_name"
            case locale
            case status
            case createdAt = "created_at"
        }

        var id: UserID
        var email: String
        var displayName: String
        var locale: UILocale?
        var status: UserAccount.Status
        var createdAt: Date

        init(_ u: UserAccount) {
            id = u.id
            email = u.email
            displayName = u.displayName
            locale = u.locale
            status = u.status
            createdAt = u.createdAt
        }
    }

    struct Workspace: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id
            case slug
            case name
            case defaultLocale = "default_locale"
            case createdAt = "created_at"
            case widgetKey = "widget_key"
        }

        var id: WorkspaceID
        var slug: String
        var name: String
        var defaultLocale: UILocale
        var createdAt: Date
        /// The public key the chat widget's `<script>` tag carries.
        var widgetKey: String?

        init(_ w: KefuCore.Workspace) {
            id = w.id
            slug = w.slug
            name = w.name
            defaultLocale = w.defaultLocale
            createdAt = w.createdAt
            widgetKey = w.widgetKey
        }
    }

    struct WorkspaceRole: Codable, Sendable {
        var id: WorkspaceID
        var slug: String
        var name: String
        var role: Role
    }

    struct Me: Codable, Sendable, ResponseEncodable {
        var user: User
        var workspace: Workspace
        var role: Role
        var permissions: [String]
        var workspaces: [WorkspaceRole]
    }

    struct Member: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case userId = "user_id"
            case email
            case displayName = "display_name"
            case role
            case joinedAt = "joined_at"
        }

        var userId: UserID
        var email: String
        var displayName: String
        var role: Role
        var joinedAt: Date

        init(_ m: Membership) {
            userId = m.user.id
            email = m.user.email
            displayName = m.user.displayName
            role = m.role
            joinedAt = m.createdAt
        }
    }

    struct Invitation: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id
            case email
            case role
            case invitedBy = "invited_by"
            case createdAt = "created_at"
            case expiresAt = "expires_at"
            case revokedAt = "revoked_at"
        }

        var id: InvitationID
        var email: String
        var role: Role
        var invitedBy: UserID?
        var createdAt: Date
        var expiresAt: Date
        var revokedAt: Date?

        init(_ i: KefuCore.Invitation) {
            id = i.id
            email = i.email
            role = i.role
            invitedBy = i.invitedBy
            createdAt = i.createdAt
            expiresAt = i.expiresAt
            revokedAt = i.revokedAt
        }
    }

    struct Token: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id
            case name
            case kind
            case createdAt = "created_at"
            case expiresAt = "expires_at"
            case lastUsedAt = "last_used_at"
            case revokedAt = "revoked_at"
        }

        var id: TokenID
        var name: String
        var kind: APITokenInfo.Kind
        var createdAt: Date
        var expiresAt: Date?
        var lastUsedAt: Date?
        var revokedAt: Date?

        init(_ t: APITokenInfo) {
            id = t.id
            name = t.name
            kind = t.kind
            createdAt = t.createdAt
            expiresAt = t.expiresAt
            lastUsedAt = t.lastUsedAt
            revokedAt = t.revokedAt
        }
    }

    struct AuditEntry: Codable, Sendable {
        enum CodingKeys: String, CodingKey {
            case id
            case action
            case actorUserId = "actor_user_id"
            case actor
            case target
            case ip
            case before
            case after
            case createdAt = "created_at"
        }

        var id: AuditEventID
        var action: AuditAction
        var actorUserId: UserID?
        var actor: String?
        var target: String?
        var ip: String?
        var before: String?
        var after: String?
        var createdAt: Date

        init(_ e: AuditEvent) {
            id = e.id
            action = e.action
            actorUserId = e.actorUserID
            actor = e.actorLabel
            target = e.target
            ip = e.ip
            before = e.before
            after = e.after
            createdAt = e.createdAt
        }
    }

    struct Team: Codable, Sendable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id
            case name
            case createdAt = "created_at"
        }

        var id: TeamID
        var name: String
        var createdAt: Date

        init(_ t: KefuCore.Team) {
            id = t.id
            name = t.name
            createdAt = t.createdAt
        }
    }
}
