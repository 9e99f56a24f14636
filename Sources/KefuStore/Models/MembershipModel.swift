import FluentKit
import Foundation
import KefuCore

final class MembershipModel: Model, @unchecked Sendable {
    static let schema = "memberships"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: WorkspaceModel
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "role") var role: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID = UUID(), workspaceID: UUID, userID: UUID, role: Role, createdAt: Date) {
        self.id = id
        self.$workspace.id = workspaceID
        self.$user.id = userID
        self.role = role.rawValue
        self.createdAt = createdAt
    }

    /// Needs `user` eager-loaded.
    func record() throws -> Membership {
        Membership(
            id: MembershipID(try requireID()), workspaceID: WorkspaceID($workspace.id), user: try user.record(),
            role: try decodeStored(Role.self, role, table: Self.schema, column: "role"), createdAt: createdAt)
    }
}
