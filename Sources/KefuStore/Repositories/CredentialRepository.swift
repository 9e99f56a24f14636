import FluentKit
import Foundation
import KefuCore

/// A signed-in browser session as stored.
public struct WebSession: Sendable, Equatable {
    public var id: UUID
    public var workspaceID: UUID
    public var userID: UUID
    public var csrfToken: String
    public var expiresAt: Date
}

/// Sessions, API tokens and invitations; secrets are only ever stored as hashes.
public protocol CredentialRepository: Sendable {
    func createSession(workspaceID: UUID, userID: UUID, tokenHash: String, csrfToken: String, at: Date, expiresAt: Date)
        async throws
    /// An unexpired session with this token hash.
    func session(tokenHash: String, now: Date) async throws -> WebSession?
    func deleteSession(tokenHash: String) async throws
    func createToken(
        workspaceID: UUID, userID: UUID, name: String, kind: APITokenInfo.Kind, tokenHash: String, at: Date, expiresAt: Date?
    ) async throws -> APITokenInfo
    /// A live (unrevoked, unexpired) token with this hash; records the use time.
    func useToken(tokenHash: String, now: Date) async throws -> APITokenInfo?
    func personalTokens(workspaceID: UUID, userID: UUID) async throws -> [APITokenInfo]
    func revokeToken(id: UUID, workspaceID: UUID, userID: UUID, at: Date) async throws -> APITokenInfo
    func createInvitation(
        workspaceID: UUID, email: String, role: Role, tokenHash: String, invitedBy: UUID?, at: Date, expiresAt: Date
    ) async throws -> Invitation
    /// An open (unaccepted, unexpired) invitation with this token hash.
    func openInvitation(tokenHash: String, now: Date) async throws -> Invitation?
    func markAccepted(invitationID: UUID, at: Date) async throws
    /// Deletes sessions and short-lived bearer tokens that expired before `now`; returns how many rows went.
    func deleteExpired(now: Date) async throws -> Int
}

public struct SQLCredentialRepository: CredentialRepository {
    let db: any Database

    public init(database: any Database) { self.db = database }

    public func createSession(workspaceID: UUID, userID: UUID, tokenHash: String, csrfToken: String, at: Date, expiresAt: Date)
        async throws
    {
        try await WebSessionModel(
            workspaceID: workspaceID, userID: userID, tokenHash: tokenHash, csrfToken: csrfToken, createdAt: at,
            expiresAt: expiresAt
        ).create(on: db)
    }

    public func session(tokenHash: String, now: Date) async throws -> WebSession? {
        guard
            let m = try await WebSessionModel.query(on: db).filter(\.$tokenHash == tokenHash).filter(\.$expiresAt > now)
                .first()
        else { return nil }
        return WebSession(
            id: try m.requireID(), workspaceID: m.workspaceID, userID: m.userID, csrfToken: m.csrfToken, expiresAt: m.expiresAt)
    }

    public func deleteSession(tokenHash: String) async throws {
        try await WebSessionModel.query(on: db).filter(\.$tokenHash == tokenHash).delete()
    }

    public func createToken(
        workspaceID: UUID, userID: UUID, name: String, kind: APITokenInfo.Kind, tokenHash: String, at: Date, expiresAt: Date?
    ) async throws -> APITokenInfo {
        let model = APITokenModel(
            workspaceID: workspaceID, userID: userID, name: name, kind: kind, tokenHash: tokenHash, createdAt: at,
            expiresAt: expiresAt)
        try await model.create(on: db)
        return try model.record()
    }

    public func useToken(tokenHash: String, now: Date) async throws -> APITokenInfo? {
        guard let model = try await APITokenModel.query(on: db).filter(\.$tokenHash == tokenHash).first() else { return nil }
        if model.revokedAt != nil { return nil }
        if let expiry = model.expiresAt, expiry <= now { return nil }
        // Only personal tokens show a last-used time; skip the write when it changed less than a minute ago.
        if model.kind == APITokenInfo.Kind.personal.rawValue,
            model.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true
        {
            model.lastUsedAt = now
            try await model.save(on: db)
        }
        return try model.record()
    }

    public func personalTokens(workspaceID: UUID, userID: UUID) async throws -> [APITokenInfo] {
        try await APITokenModel.query(on: db)
            .filter(\.$workspaceID == workspaceID)
            .filter(\.$userID == userID)
            .filter(\.$kind == APITokenInfo.Kind.personal.rawValue)
            .sort(\.$createdAt, .descending)
            .all().map { try $0.record() }
    }

    public func revokeToken(id: UUID, workspaceID: UUID, userID: UUID, at: Date) async throws -> APITokenInfo {
        guard
            let model = try await APITokenModel.query(on: db).filter(\.$id == id).filter(\.$workspaceID == workspaceID)
                .filter(\.$userID == userID).first()
        else { throw DomainError.notFound("token") }
        if model.revokedAt == nil {
            model.revokedAt = at
            try await model.save(on: db)
        }
        return try model.record()
    }

    public func createInvitation(
        workspaceID: UUID, email: String, role: Role, tokenHash: String, invitedBy: UUID?, at: Date, expiresAt: Date
    ) async throws -> Invitation {
        let model = InvitationModel(
            workspaceID: workspaceID, email: Validate.normalizedEmail(email), role: role, tokenHash: tokenHash,
            invitedBy: invitedBy, createdAt: at, expiresAt: expiresAt)
        try await model.create(on: db)
        return try model.record()
    }

    public func openInvitation(tokenHash: String, now: Date) async throws -> Invitation? {
        try await InvitationModel.query(on: db)
            .filter(\.$tokenHash == tokenHash)
            .filter(\.$expiresAt > now)
            .filter(\.$acceptedAt == nil)
            .first()?.record()
    }

    public func deleteExpired(now: Date) async throws -> Int {
        let sessions = try await WebSessionModel.query(on: db).filter(\.$expiresAt <= now).count()
        try await WebSessionModel.query(on: db).filter(\.$expiresAt <= now).delete()
        let bearers = try await APITokenModel.query(on: db).filter(\.$kind == APITokenInfo.Kind.bearer.rawValue)
            .filter(\.$expiresAt <= now).count()
        try await APITokenModel.query(on: db).filter(\.$kind == APITokenInfo.Kind.bearer.rawValue).filter(\.$expiresAt <= now)
            .delete()
        return sessions + bearers
    }

    public func markAccepted(invitationID: UUID, at: Date) async throws {
        guard let model = try await InvitationModel.find(invitationID, on: db), model.acceptedAt == nil else {
            throw DomainError.conflict("invitation already used")
        }
        model.acceptedAt = at
        try await model.save(on: db)
    }
}
