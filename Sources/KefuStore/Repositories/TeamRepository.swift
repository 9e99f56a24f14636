import FluentKit
import Foundation
import KefuCore

/// Teams of agents within the bound workspace.
public protocol TeamRepository: Sendable {
    func create(name: String, at: Date) async throws -> Team
    func list() async throws -> [Team]
    func addMember(teamID: TeamID, userID: UserID, skills: [String], maxChats: Int) async throws
    func memberCount(teamID: TeamID) async throws -> Int
    /// The teams a member belongs to.
    func teams(of user: UserID) async throws -> [TeamID]
}

struct SQLTeamRepository: TeamRepository {
    let scope: WorkspaceScope

    func create(name: String, at: Date) async throws -> Team {
        let model = TeamModel(workspaceID: scope.workspaceID.uuid, name: name, createdAt: at)
        try await createUnique(model, on: scope.db, conflict: .teamNameTaken)
        return try model.record()
    }

    func list() async throws -> [Team] {
        try await scope.query(TeamModel.self).sort(\.$name).all().map { try $0.record() }
    }

    func addMember(teamID: TeamID, userID: UserID, skills: [String], maxChats: Int) async throws {
        guard try await scope.query(TeamModel.self).filter(\.$id == teamID.uuid).first() != nil else {
            throw DomainError.notFound(.team)
        }
        guard try await scope.query(MembershipModel.self).filter(\.$user.$id == userID.uuid).first() != nil else {
            throw DomainError.notFound(.member)
        }
        let model = TeamMemberModel(
            workspaceID: scope.workspaceID.uuid, teamID: teamID.uuid, userID: userID.uuid, skills: skills, maxChats: maxChats)
        try await createUnique(model, on: scope.db, conflict: .alreadyInTeam)
    }

    func memberCount(teamID: TeamID) async throws -> Int {
        try await scope.query(TeamMemberModel.self).filter(\.$teamID == teamID.uuid).count()
    }

    func teams(of user: UserID) async throws -> [TeamID] {
        try await scope.query(TeamMemberModel.self).filter(\.$userID == user.uuid).all().map { TeamID($0.teamID) }
    }
}
