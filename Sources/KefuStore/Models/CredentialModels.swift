import FluentKit
import Foundation
import KefuCore

final class APITokenModel: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(
        workspaceID: UUID, userID: UUID, name: String, kind: APITokenInfo.Kind, tokenHash: String, createdAt: Date,
        expiresAt: Date?
    ) {
        self.id = UUID()
        self.workspaceID = workspaceID
        self.userID = userID
        self.name = name
        self.kind = kind.rawValue
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    func record() throws -> APITokenInfo {
        APITokenInfo(
            id: TokenID(try requireID()), workspaceID: WorkspaceID(workspaceID), userID: UserID(userID), name: name,
            kind: try decodeStored(APITokenInfo.Kind.self, kind, table: Self.schema, column: "kind"), createdAt: createdAt,
            expiresAt: expiresAt, lastUsedAt: lastUsedAt, revokedAt: revokedAt)
    }
}

final class WebSessionModel: Model, @unchecked Sendable {
    static let schema = "web_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}

    init(workspaceID: UUID, userID: UUID, tokenHash: String, csrfToken: String, createdAt: Date, expiresAt: Date) {
        self.id = UUID()
        self.workspaceID = workspaceID
        self.userID = userID
        self.tokenHash = tokenHash
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

final class InvitationModel: Model, @unchecked Sendable {
    static let schema = "invitations"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "email") var email: String
    @Field(key: "role") var role: String
    @Field(key: "token_hash") var tokenHash: String
    @OptionalField(key: "invited_by") var invitedBy: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "accepted_at") var acceptedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(workspaceID: UUID, email: String, role: Role, tokenHash: String, invitedBy: UUID?, createdAt: Date, expiresAt: Date) {
        self.id = UUID()
        self.workspaceID = workspaceID
        self.email = email
        self.role = role.rawValue
        self.tokenHash = tokenHash
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    func record() throws -> Invitation {
        Invitation(
            id: InvitationID(try requireID()), workspaceID: WorkspaceID(workspaceID), email: email,
            role: try decodeStored(Role.self, role, table: Self.schema, column: "role"),
            invitedBy: invitedBy.map(UserID.init), expiresAt: expiresAt, acceptedAt: acceptedAt, revokedAt: revokedAt,
            createdAt: createdAt)
    }
}

final class AuditEventModel: Model, @unchecked Sendable {
    static let schema = "audit_events"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "workspace_id") var workspaceID: UUID?
    @OptionalField(key: "actor_user_id") var actorUserID: UUID?
    @OptionalField(key: "actor_label") var actorLabel: String?
    @Field(key: "action") var action: String
    @OptionalField(key: "target") var target: String?
    @OptionalField(key: "ip") var ip: String?
    @OptionalField(key: "before") var before: String?
    @OptionalField(key: "after") var after: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(_ e: AuditEvent) {
        self.id = e.id.uuid
        self.workspaceID = e.workspaceID?.uuid
        self.actorUserID = e.actorUserID?.uuid
        self.actorLabel = e.actorLabel
        self.action = e.action.rawValue
        self.target = e.target
        self.ip = e.ip
        self.before = e.before
        self.after = e.after
        self.createdAt = e.createdAt
    }

    func record() throws -> AuditEvent {
        AuditEvent(
            id: AuditEventID(try requireID()), workspaceID: workspaceID.map(WorkspaceID.init),
            actorUserID: actorUserID.map(UserID.init), actorLabel: actorLabel,
            action: try decodeStored(AuditAction.self, action, table: Self.schema, column: "action"), target: target, ip: ip,
            before: before, after: after, createdAt: createdAt)
    }
}
