import FluentKit
import Foundation
import KefuCore

/// One-time invitations into the bound workspace; only the token's hash is stored.
public protocol InvitationRepository: Sendable {
    func create(email: String, role: Role, tokenHash: String, invitedBy: UserID?, at: Date, expiresAt: Date) async throws
        -> Invitation
    /// Marks an open invitation used; a second use is a conflict.
    func markAccepted(id: InvitationID, at: Date) async throws
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
        guard model.acceptedAt == nil else { throw DomainError.conflict(.invitationUsed) }
        model.acceptedAt = at
        try await model.save(on: scope.db)
    }
}
