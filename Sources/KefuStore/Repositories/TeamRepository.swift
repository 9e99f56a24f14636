import FluentKit
import Foundation
import KefuCore

/// Teams of agents within the bound workspace.
public protocol TeamRepository: Sendable {
    func create(name: String, at: Date) async throws -> Team
    func list() async throws -> [Team]
    func addMember(teamID: TeamID, userID: UserID) async throws
    func memberCount(teamID: TeamID) async throws -> Int
    /// The team's members; not found when the team is not the workspace's.
    func members(of team: TeamID) async throws -> [UserID]
    /// False when the member was not in the team.
    func removeMember(teamID: TeamID, userID: UserID) async throws -> Bool
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

    func addMember(teamID: TeamID, userID: UserID) async throws {
        guard try await scope.query(TeamModel.self).filter(\.$id == teamID.uuid).first() != nil else {
            throw DomainError.notFound(.team)
        }
        guard try await scope.query(MembershipModel.self).filter(\.$user.$id == userID.uuid).first() != nil else {
            throw DomainError.notFound(.member)
        }
        let model = TeamMemberModel(workspaceID: scope.workspaceID.uuid, teamID: teamID.uuid, userID: userID.uuid)
        try await createUnique(model, on: scope.db, conflict: .alreadyInTeam)
    }

    func members(of team: TeamID) async throws -> [UserID] {
        guard try await scope.query(TeamModel.self).filter(\.$id == team.uuid).first() != nil else {
            throw DomainError.notFound(.team)
        }
        return try await scope.query(TeamMemberModel.self).filter(\.$teamID == team.uuid).all().map { UserID($0.userID) }
    }

    func removeMember(teamID: TeamID, userID: UserID) async throws -> Bool {
        guard try await scope.query(TeamModel.self).filter(\.$id == teamID.uuid).first() != nil else {
            throw DomainError.notFound(.team)
        }
        let query = scope.query(TeamMemberModel.self).filter(\.$teamID == teamID.uuid).filter(\.$userID == userID.uuid)
        guard try await query.first() != nil else { return false }
        try await query.delete()
        return true
    }

    func memberCount(teamID: TeamID) async throws -> Int {
        try await scope.query(TeamMemberModel.self).filter(\.$teamID == teamID.uuid).count()
    }

    func teams(of user: UserID) async throws -> [TeamID] {
        try await scope.query(TeamMemberModel.self).filter(\.$userID == user.uuid).all().map { TeamID($0.teamID) }
    }
}
