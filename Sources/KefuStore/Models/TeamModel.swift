import FluentKit
import Foundation
import KefuCore

final class TeamModel: Model, @unchecked Sendable {
    static let schema = "teams"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID = UUID(), workspaceID: UUID, name: String, createdAt: Date) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.createdAt = createdAt
    }

    func record() throws -> Team {
        Team(id: TeamID(try requireID()), workspaceID: WorkspaceID(workspaceID), name: name, createdAt: createdAt)
    }
}

final class TeamMemberModel: Model, @unchecked Sendable {
    static let schema = "team_members"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "team_id") var teamID: UUID
    @Field(key: "user_id") var userID: UUID

    init() {}

    init(id: UUID = UUID(), workspaceID: UUID, teamID: UUID, userID: UUID) {
        self.id = id
        self.workspaceID = workspaceID
        self.teamID = teamID
        self.userID = userID
    }
}
