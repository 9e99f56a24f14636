import FluentKit
import Foundation
import KefuCore

/// Workspaces, users and their memberships.
public protocol AccountRepository: Sendable {
    func createWorkspace(slug: String, name: String, defaultLocale: String, at: Date) async throws -> Workspace
    func workspace(id: UUID) async throws -> Workspace?
    func workspace(slug: String) async throws -> Workspace?
    func updateWorkspace(id: UUID, name: String, defaultLocale: String) async throws -> Workspace
    func createUser(email: String, displayName: String, locale: String?, passwordHash: String, at: Date) async throws
        -> UserAccount
    func user(id: UUID) async throws -> UserAccount?
    /// The user with that (normalised) e-mail and their password hash.
    func credentials(email: String) async throws -> (UserAccount, String)?
    func addMember(workspaceID: UUID, userID: UUID, role: Role, at: Date) async throws -> Membership
    func membership(workspaceID: UUID, userID: UUID) async throws -> Membership?
    /// Every workspace the user belongs to, oldest membership first.
    func workspaces(ofUser userID: UUID) async throws -> [(Workspace, Role)]
    /// Members ordered by e-mail, after the e-mail cursor if given.
    func members(workspaceID: UUID, after: String?, limit: Int) async throws -> [Membership]
    /// Returns the previous role.
    func setRole(workspaceID: UUID, userID: UUID, role: Role) async throws -> Role
    func removeMember(workspaceID: UUID, userID: UUID) async throws -> Role
    func ownerCount(workspaceID: UUID) async throws -> Int
}

/// The one implementation, on Fluent, for SQLite and PostgreSQL.
public struct SQLAccountRepository: AccountRepository {
    let db: any Database

    public init(database: any Database) { self.db = database }

    public func createWorkspace(slug: String, name: String, defaultLocale: String, at: Date) async throws -> Workspace {
        let model = WorkspaceModel(slug: slug, name: name, defaultLocale: defaultLocale, createdAt: at)
        try await saveUnique(model, conflict: "workspace slug already taken")
        return try model.record()
    }

    public func workspace(id: UUID) async throws -> Workspace? {
        try await WorkspaceModel.find(id, on: db)?.record()
    }

    public func workspace(slug: String) async throws -> Workspace? {
        try await WorkspaceModel.query(on: db).filter(\.$slug == slug).first()?.record()
    }

    public func updateWorkspace(id: UUID, name: String, defaultLocale: String) async throws -> Workspace {
        guard let model = try await WorkspaceModel.find(id, on: db) else { throw DomainError.notFound("workspace") }
        model.name = name
        model.defaultLocale = defaultLocale
        try await model.save(on: db)
        return try model.record()
    }

    public func createUser(email: String, displayName: String, locale: String?, passwordHash: String, at: Date) async throws
        -> UserAccount
    {
        let model = UserModel(
            email: Validate.normalizedEmail(email), displayName: displayName, locale: locale, passwordHash: passwordHash,
            createdAt: at)
        try await saveUnique(model, conflict: "a user with this e-mail already exists")
        return try model.record()
    }

    public func user(id: UUID) async throws -> UserAccount? {
        try await UserModel.find(id, on: db)?.record()
    }

    public func credentials(email: String) async throws -> (UserAccount, String)? {
        guard let model = try await UserModel.query(on: db).filter(\.$email == Validate.normalizedEmail(email)).first()
        else { return nil }
        return (try model.record(), model.passwordHash)
    }

    public func addMember(workspaceID: UUID, userID: UUID, role: Role, at: Date) async throws -> Membership {
        let model = MembershipModel(workspaceID: workspaceID, userID: userID, role: role, createdAt: at)
        try await saveUnique(model, conflict: "already a member of this workspace")
        guard let membership = try await membership(workspaceID: workspaceID, userID: userID) else {
            throw DomainError.notFound("membership")
        }
        return membership
    }

    public func membership(workspaceID: UUID, userID: UUID) async throws -> Membership? {
        try await MembershipModel.query(on: db)
            .filter(\.$workspace.$id == workspaceID)
            .filter(\.$user.$id == userID)
            .with(\.$user)
            .first()?.record()
    }

    public func workspaces(ofUser userID: UUID) async throws -> [(Workspace, Role)] {
        let rows = try await MembershipModel.query(on: db)
            .filter(\.$user.$id == userID)
            .with(\.$workspace)
            .sort(\.$createdAt)
            .all()
        return try rows.map { (try $0.workspace.record(), Role(rawValue: $0.role) ?? .agent) }
    }

    public func members(workspaceID: UUID, after: String?, limit: Int) async throws -> [Membership] {
        let query = MembershipModel.query(on: db)
            .join(UserModel.self, on: \MembershipModel.$user.$id == \UserModel.$id)
            .filter(\.$workspace.$id == workspaceID)
            .with(\.$user)
            .sort(UserModel.self, \.$email)
            .limit(limit)
        if let after { query.filter(UserModel.self, \.$email > after) }
        return try await query.all().map { try $0.record() }
    }

    public func setRole(workspaceID: UUID, userID: UUID, role: Role) async throws -> Role {
        guard let model = try await membershipModel(workspaceID: workspaceID, userID: userID) else {
            throw DomainError.notFound("member")
        }
        let previous = Role(rawValue: model.role) ?? .agent
        model.role = role.rawValue
        try await model.save(on: db)
        return previous
    }

    public func removeMember(workspaceID: UUID, userID: UUID) async throws -> Role {
        guard let model = try await membershipModel(workspaceID: workspaceID, userID: userID) else {
            throw DomainError.notFound("member")
        }
        let previous = Role(rawValue: model.role) ?? .agent
        try await model.delete(on: db)
        return previous
    }

    public func ownerCount(workspaceID: UUID) async throws -> Int {
        try await MembershipModel.query(on: db)
            .filter(\.$workspace.$id == workspaceID)
            .filter(\.$role == Role.owner.rawValue)
            .count()
    }

    private func membershipModel(workspaceID: UUID, userID: UUID) async throws -> MembershipModel? {
        try await MembershipModel.query(on: db)
            .filter(\.$workspace.$id == workspaceID)
            .filter(\.$user.$id == userID)
            .first()
    }

    private func saveUnique(_ model: some Model, conflict: String) async throws {
        do {
            try await model.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw DomainError.conflict(conflict)
        }
    }
}
