import Foundation
import Hummingbird
import KefuCore

/// API response shapes; never the stored models. Keys are snake_case on the wire.
enum DTO {
    struct User: Codable, Sendable {
        var id: UUID
        var email: String
        var displayName: String
        var locale: String?
        var status: String
        var createdAt: Date

        init(_ u: UserAccount) {
            id = u.id
            email = u.email
            displayName = u.displayName
            locale = u.locale
            status = u.status.rawValue
            createdAt = u.createdAt
        }
    }

    struct Workspace: Codable, Sendable, ResponseEncodable {
        var id: UUID
        var slug: String
        var name: String
        var defaultLocale: String
        var createdAt: Date

        init(_ w: KefuCore.Workspace) {
            id = w.id
            slug = w.slug
            name = w.name
            defaultLocale = w.defaultLocale
            createdAt = w.createdAt
        }
    }

    struct WorkspaceRole: Codable, Sendable {
        var id: UUID
        var slug: String
        var name: String
        var role: String
    }

    struct Me: Codable, Sendable, ResponseEncodable {
        var user: User
        var workspace: Workspace
        var role: String
        var permissions: [String]
        var workspaces: [WorkspaceRole]
    }

    struct Member: Codable, Sendable, ResponseEncodable {
        var userId: UUID
        var email: String
        var displayName: String
        var role: String
        var joinedAt: Date

        init(_ m: Membership) {
            userId = m.user.id
            email = m.user.email
            displayName = m.user.displayName
            role = m.role.rawValue
            joinedAt = m.createdAt
        }
    }

    struct Token: Codable, Sendable, ResponseEncodable {
        var id: UUID
        var name: String
        var kind: String
        var createdAt: Date
        var lastUsedAt: Date?
        var revokedAt: Date?

        init(_ t: APITokenInfo) {
            id = t.id
            name = t.name
            kind = t.kind.rawValue
            createdAt = t.createdAt
            lastUsedAt = t.lastUsedAt
            revokedAt = t.revokedAt
        }
    }

    struct AuditEntry: Codable, Sendable {
        var id: UUID
        var action: String
        var actorUserId: UUID?
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
        var id: UUID
        var name: String
        var createdAt: Date

        init(_ t: KefuCore.Team) {
            id = t.id
            name = t.name
            createdAt = t.createdAt
        }
    }
}
