import FluentKit
import Foundation
import KefuCore

/// One-time invitations into the bound workspace; only the token's hash is stored.
public protocol InvitationRepository: Sendable {
    func create(email: String, role: Role, tokenHash: String, invitedBy: UserID?, at: Date, expiresAt: Date) async throws
        -> Invitation
    /// Marks an open invitation used; a second use (or a revoked one) is a conflict.
    func markAccepted(id: InvitationID, at: Date) async throws
    /// Open invitations (not accepted, revoked or expired), newest first.
    func pending(now: Date) async throws -> [Invitation]
    func revoke(id: InvitationID, at: Date) async throws -> Invitation
    /// Revokes the open invitations for an e-mail; returns how many.
    func revokePending(email: String, at: Date) async throws -> Int
    /// Revokes the open invitations a member made, for roles outside `keeping`; returns how many.
    func revokePending(invitedBy: UserID, keeping: Set<Role>, at: Date) async throws -> Int
}

struct SQLInvitationRepository: InvitationRepository {
    let scope: WorkspaceScope

    func create(email: String, role: Role, tokenHash: String, invitedBy: UserID?, at: Date, expiresAt: Date) async throws
        -> Invitation
    {
        let model = InvitationModel(
            workspaceID: scope.workspaceID.uuid, email: Validate.normalizedEmail(email), role: role, tokenHash: tokenHash,
            invitedBy: invitedBy?.uuid, createdAt: at, expiresAt: expiresAt)
        try await model.create(on: scope.db)
        return try model.record()
    }

    func markAccepted(id: InvitationID, at: Date) async throws {
        guard let model = try await scope.query(InvitationModel.self).filter(\.$id == id.uuid).first() else {
            throw DomainError.notFound(.invitation)
        }
        guard model.acceptedAt == nil, model.revokedAt == nil else { throw DomainError.conflict(.invitationUsed) }
        model.acceptedAt = at
        try await model.save(on: scope.db)
    }

    func pending(now: Date) async throws -> [Invitation] {
        try await open(now: now).sort(\.$createdAt, .descending).all().map { try $0.record() }
    }

    func revoke(id: InvitationID, at: Date) async throws -> Invitation {
        guard let model = try await scope.query(InvitationModel.self).filter(\.$id == id.uuid).first() else {
            throw DomainError.notFound(.invitation)
        }
        if model.revokedAt == nil && model.acceptedAt == nil {
            model.revokedAt = at
            try await model.save(on: scope.db)
        }
        return try model.record()
    }

    func revokePending(email: String, at: Date) async throws -> Int {
        let query = open(now: at).filter(\.$email == Validate.normalizedEmail(email))
        let count = try await query.count()
        try await open(now: at).filter(\.$email == Validate.normalizedEmail(email)).set(\.$revokedAt, to: at).update()
        return count
    }

    func revokePending(invitedBy: UserID, keeping: Set<Role>, at: Date) async throws -> Int {
        let revoked = Set(Role.allCases).subtracting(keeping).map(\.rawValue)
        guard !revoked.isEmpty else { return 0 }
        let count = try await open(now: at).filter(\.$invitedBy == invitedBy.uuid).filter(\.$role ~~ revoked).count()
        try await open(now: at).filter(\.$invitedBy == invitedBy.uuid).filter(\.$role ~~ revoked)
            .set(\.$revokedAt, to: at).update()
        return count
    }

    private func open(now: Date) -> QueryBuilder<InvitationModel> {
        scope.query(InvitationModel.self).filter(\.$acceptedAt == nil).filter(\.$revokedAt == nil).filter(\.$expiresAt > now)
    }
}
