import FluentKit
import Foundation
import KefuCore

/// API tokens (personal and short-lived bearer) of the bound workspace; only hashes are stored.
public protocol TokenRepository: Sendable {
    func create(userID: UserID, name: String, kind: APITokenInfo.Kind, tokenHash: String, at: Date, expiresAt: Date?)
        async throws -> APITokenInfo
    func personal(userID: UserID) async throws -> [APITokenInfo]
    func revoke(id: TokenID, userID: UserID, at: Date) async throws -> APITokenInfo
}

struct SQLTokenRepository: TokenRepository {
    let scope: WorkspaceScope

    func create(userID: UserID, name: String, kind: APITokenInfo.Kind, tokenHash: String, at: Date, expiresAt: Date?)
        async throws -> APITokenInfo
    {
        let model = APITokenModel(
            workspaceID: scope.workspaceID.uuid, userID: userID.uuid, name: name, kind: kind, tokenHash: tokenHash,
            createdAt: at, expiresAt: expiresAt)
        try await model.create(on: scope.db)
        return try model.record()
    }

    func personal(userID: UserID) async throws -> [APITokenInfo] {
        try await scope.query(APITokenModel.self)
            .filter(\.$userID == userID.uuid)
            .filter(\.$kind == APITokenInfo.Kind.personal.rawValue)
            .sort(\.$createdAt, .descending)
            .all().map { try $0.record() }
    }

    func revoke(id: TokenID, userID: UserID, at: Date) async throws -> APITokenInfo {
        guard
            let model = try await scope.query(APITokenModel.self).filter(\.$id == id.uuid).filter(\.$userID == userID.uuid)
                .first()
        else { throw DomainError.notFound(.token) }
        if model.revokedAt == nil {
            model.revokedAt = at
            try await model.save(on: scope.db)
        }
        return try model.record()
    }
}

/// Browser sessions of the bound workspace; only the cookie's hash is stored.
public protocol SessionRepository: Sendable {
    func create(userID: UserID, tokenHash: String, csrfToken: String, at: Date, expiresAt: Date) async throws
    func delete(tokenHash: String) async throws
}

struct SQLSessionRepository: SessionRepository {
    let scope: WorkspaceScope

    func create(userID: UserID, tokenHash: String, csrfToken: String, at: Date, expiresAt: Date) async throws {
        try await WebSessionModel(
            workspaceID: scope.workspaceID.uuid, userID: userID.uuid, tokenHash: tokenHash, csrfToken: csrfToken,
            createdAt: at, expiresAt: expiresAt
        ).create(on: scope.db)
    }

    func delete(tokenHash: String) async throws {
        try await scope.query(WebSessionModel.self).filter(\.$tokenHash == tokenHash).delete()
    }
}
