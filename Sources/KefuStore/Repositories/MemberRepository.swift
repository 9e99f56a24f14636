import FluentKit
import Foundation
import KefuCore
import SQLKit

/// The memberships of the bound workspace.
public protocol MemberRepository: Sendable {
    func add(userID: UserID, role: Role, at: Date) async throws -> Membership
    func membership(userID: UserID) async throws -> Membership?
    /// Members ordered by e-mail, after the e-mail cursor if given.
    func list(after: String?, limit: Int) async throws -> [Membership]
    /// Returns the previous role.
    func setRole(userID: UserID, role: Role) async throws -> Role
    /// Returns the role the member had.
    func remove(userID: UserID) async throws -> Role
    func ownerCount() async throws -> Int
    /// Inside a transaction: serialises membership changes of this workspace until it ends, so that rules over
    /// several rows ("at least one owner") hold under concurrent changes. SQLite's immediate transactions already
    /// serialise writers; PostgreSQL locks the workspace row.
    func lockForChange() async throws
}

struct SQLMemberRepository: MemberRepository {
    let scope: WorkspaceScope

    func add(userID: UserID, role: Role, at: Date) async throws -> Membership {
        let model = MembershipModel(workspaceID: scope.workspaceID.uuid, userID: userID.uuid, role: role, createdAt: at)
        try await createUnique(model, on: scope.db, conflict: .alreadyMember)
        guard let membership = try await membership(userID: userID) else { throw DomainError.notFound(.membership) }
        return membership
    }

    func membership(userID: UserID) async throws -> Membership? {
        try await scope.query(MembershipModel.self).filter(\.$user.$id == userID.uuid).with(\.$user).first()?.record()
    }

    func list(after: String?, limit: Int) async throws -> [Membership] {
        let query = scope.query(MembershipModel.self)
            .join(UserModel.self, on: \MembershipModel.$user.$id == \UserModel.$id)
            .with(\.$user)
            .sort(UserModel.self, \.$email)
            .limit(limit)
        if let after { query.filter(UserModel.self, \.$email > after) }
        return try await query.all().map { try $0.record() }
    }

    func setRole(userID: UserID, role: Role) async throws -> Role {
        let model = try await model(userID)
        let previous = try decodeStored(Role.self, model.role, table: MembershipModel.schema, column: "role")
        model.role = role.rawValue
        try await model.save(on: scope.db)
        return previous
    }

    func remove(userID: UserID) async throws -> Role {
        let model = try await model(userID)
        let previous = try decodeStored(Role.self, model.role, table: MembershipModel.schema, column: "role")
        try await model.delete(on: scope.db)
        return previous
    }

    func ownerCount() async throws -> Int {
        try await scope.query(MembershipModel.self).filter(\.$role == Role.owner.rawValue).count()
    }

    func lockForChange() async throws {
        guard let sql = scope.db as? any SQLDatabase, sql.dialect.name != "sqlite" else { return }
        try await sql.raw("SELECT id FROM workspaces WHERE id = \(bind: scope.workspaceID.uuid) FOR UPDATE").run()
    }

    private func model(_ userID: UserID) async throws -> MembershipModel {
        guard let model = try await scope.query(MembershipModel.self).filter(\.$user.$id == userID.uuid).first() else {
            throw DomainError.notFound(.member)
        }
        return model
    }
}
