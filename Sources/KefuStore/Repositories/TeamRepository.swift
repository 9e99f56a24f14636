import FluentKit
import Foundation
import KefuCore

/// Teams of agents within a workspace.
public protocol TeamRepository: Sendable {
    func create(workspaceID: UUID, name: String, at: Date) async throws -> Team
    func teams(workspaceID: UUID) async throws -> [Team]
    func addMember(workspaceID: UUID, teamID: UUID, userID: UUID, skills: [String], maxChats: Int) async throws
    func memberCount(teamID: UUID, workspaceID: UUID) async throws -> Int
}

public struct SQLTeamRepository: TeamRepository {
    let db: any Database

    public init(database: any Database) { self.db = database }

    public func create(workspaceID: UUID, name: String, at: Date) async throws -> Team {
        let model = TeamModel(workspaceID: workspaceID, name: name, createdAt: at)
        do {
            try await model.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw DomainError.conflict("a team with this name already exists")
        }
        return try model.record()
    }

    public func teams(workspaceID: UUID) async throws -> [Team] {
        try await TeamModel.query(on: db).filter(\.$workspaceID == workspaceID).sort(\.$name).all().map { try $0.record() }
    }

    public func addMember(workspaceID: UUID, teamID: UUID, userID: UUID, skills: [String], maxChats: Int) async throws {
        guard try await TeamModel.query(on: db).filter(\.$id == teamID).filter(\.$workspaceID == workspaceID).first() != nil
        else { throw DomainError.notFound("team") }
        do {
            try await TeamMemberModel(
                workspaceID: workspaceID, teamID: teamID, userID: userID, skills: skills, maxChats: maxChats
            )
            .create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw DomainError.conflict("already in this team")
        }
    }

    public func memberCount(teamID: UUID, workspaceID: UUID) async throws -> Int {
        try await TeamMemberModel.query(on: db).filter(\.$teamID == teamID).filter(\.$workspaceID == workspaceID).count()
    }
}
