import FluentKit
import Foundation
import KefuCore

/// A signed-in browser session as stored.
public struct WebSession: Sendable, Equatable {
    public var workspaceID: WorkspaceID
    public var userID: UserID
    public var csrfToken: String
    public var expiresAt: Date
}

/// Finding a credential by the hash of its secret, before anyone knows which workspace it belongs to, and the
/// sweeper's delete of expired ones.
public protocol CredentialLookup: Sendable {
    /// An unexpired session with this token hash.
    func session(tokenHash: String, now: Date) async throws -> WebSession?
    /// A live (unrevoked, unexpired) token with this hash; records the use time of personal tokens.
    func useToken(tokenHash: String, now: Date) async throws -> APITokenInfo?
    /// An open (unaccepted, unexpired) invitation with this token hash.
    func openInvitation(tokenHash: String, now: Date) async throws -> Invitation?
    /// Deletes sessions and short-lived bearer tokens that expired before `now`; returns how many rows went.
    func deleteExpired(now: Date) async throws -> Int
    /// Ends every browser session and bearer token of a user in every workspace (after a password reset).
    func endSessions(userID: UserID) async throws -> Int
}

struct SQLCredentialLookup: CredentialLookup {
    let db: any Database

    func session(tokenHash: String, now: Date) async throws -> WebSession? {
        guard
            let m = try await WebSessionModel.query(on: db).filter(\.$tokenHash == tokenHash).filter(\.$expiresAt > now)
                .first()
        else { return nil }
        return WebSession(
            workspaceID: WorkspaceID(m.workspaceID), userID: UserID(m.userID), csrfToken: m.csrfToken, expiresAt: m.expiresAt)
    }

    func useToken(tokenHash: String, now: Date) async throws -> APITokenInfo? {
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

    func openInvitation(tokenHash: String, now: Date) async throws -> Invitation? {
        try await InvitationModel.query(on: db)
            .filter(\.$tokenHash == tokenHash)
            .filter(\.$expiresAt > now)
            .filter(\.$acceptedAt == nil)
            .filter(\.$revokedAt == nil)
            .first()?.record()
    }

    func endSessions(userID: UserID) async throws -> Int {
        let sessions = try await WebSessionModel.query(on: db).filter(\.$userID == userID.uuid).count()
        try await WebSessionModel.query(on: db).filter(\.$userID == userID.uuid).delete()
        let bearers = try await APITokenModel.query(on: db).filter(\.$userID == userID.uuid)
            .filter(\.$kind == APITokenInfo.Kind.bearer.rawValue).count()
        try await APITokenModel.query(on: db).filter(\.$userID == userID.uuid)
            .filter(\.$kind == APITokenInfo.Kind.bearer.rawValue).delete()
        return sessions + bearers
    }

    func deleteExpired(now: Date) async throws -> Int {
        let sessions = try await WebSessionModel.query(on: db).filter(\.$expiresAt <= now).count()
        try await WebSessionModel.query(on: db).filter(\.$expiresAt <= now).delete()
        let bearers = APITokenModel.query(on: db).filter(\.$kind == APITokenInfo.Kind.bearer.rawValue)
            .filter(\.$expiresAt <= now)
        let bearerCount = try await bearers.count()
        try await APITokenModel.query(on: db).filter(\.$kind == APITokenInfo.Kind.bearer.rawValue).filter(\.$expiresAt <= now)
            .delete()
        return sessions + bearerCount
    }
}
