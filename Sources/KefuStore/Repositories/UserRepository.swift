import FluentKit
import Foundation
import KefuCore

/// People who can sign in. Users are not owned by a workspace: they join workspaces through memberships.
public protocol UserRepository: Sendable {
    func create(email: String, displayName: String, locale: UILocale?, passwordHash: String, at: Date) async throws
        -> UserAccount
    func user(id: UserID) async throws -> UserAccount?
    /// The user with that (normalised) e-mail and their password hash.
    func credentials(email: String) async throws -> (UserAccount, passwordHash: String)?
    /// Every workspace the user belongs to with their role there, oldest membership first.
    func workspaces(ofUser userID: UserID) async throws -> [(Workspace, Role)]
    func setPasswordHash(userID: UserID, hash: String) async throws
}

struct SQLUserRepository: UserRepository {
    let db: any Database

    func create(email: String, displayName: String, locale: UILocale?, passwordHash: String, at: Date) async throws
        -> UserAccount
    {
        let model = UserModel(
            email: Validate.normalizedEmail(email), displayName: displayName, locale: locale?.rawValue,
            passwordHash: passwordHash, createdAt: at)
        try await createUnique(model, on: db, conflict: .emailTaken)
        return try model.record()
    }

    func user(id: UserID) async throws -> UserAccount? {
        try await UserModel.find(id.uuid, on: db)?.record()
    }

    func credentials(email: String) async throws -> (UserAccount, passwordHash: String)? {
        guard let model = try await UserModel.query(on: db).filter(\.$email == Validate.normalizedEmail(email)).first()
        else { return nil }
        return (try model.record(), model.passwordHash)
    }

    func setPasswordHash(userID: UserID, hash: String) async throws {
        try await UserModel.query(on: db).filter(\.$id == userID.uuid).set(\.$passwordHash, to: hash).update()
    }

    func workspaces(ofUser userID: UserID) async throws -> [(Workspace, Role)] {
        let rows = try await MembershipModel.query(on: db)
            .filter(\.$user.$id == userID.uuid)
            .with(\.$workspace)
            .sort(\.$createdAt)
            .all()
        return try rows.map {
            (try $0.workspace.record(), try decodeStored(Role.self, $0.role, table: MembershipModel.schema, column: "role"))
        }
    }
}
