import FluentKit
import KefuCore

/// A table whose rows belong to one workspace. Scoped repositories only ever query it through `WorkspaceScope`,
/// which applies this filter, so a business query without it cannot be written by accident.
protocol WorkspaceScopedModel: Model {
    static func scoped(_ query: QueryBuilder<Self>, to workspace: WorkspaceID) -> QueryBuilder<Self>
}

/// One workspace on one database handle (a pool or a transaction).
struct WorkspaceScope: Sendable {
    let db: any Database
    let workspaceID: WorkspaceID

    func query<M: WorkspaceScopedModel>(_ model: M.Type) -> QueryBuilder<M> {
        M.scoped(M.query(on: db), to: workspaceID)
    }
}

extension MembershipModel: WorkspaceScopedModel {
    static func scoped(_ query: QueryBuilder<MembershipModel>, to workspace: WorkspaceID) -> QueryBuilder<MembershipModel> {
        query.filter(\.$workspace.$id == workspace.uuid)
    }
}

extension TeamModel: WorkspaceScopedModel {
    static func scoped(_ query: QueryBuilder<TeamModel>, to workspace: WorkspaceID) -> QueryBuilder<TeamModel> {
        query.filter(\.$workspaceID == workspace.uuid)
    }
}

extension TeamMemberModel: WorkspaceScopedModel {
    static func scoped(_ query: QueryBuilder<TeamMemberModel>, to workspace: WorkspaceID) -> QueryBuilder<TeamMemberModel> {
        query.filter(\.$workspaceID == workspace.uuid)
    }
}

extension APITokenModel: WorkspaceScopedModel {
    static func scoped(_ query: QueryBuilder<APITokenModel>, to workspace: WorkspaceID) -> QueryBuilder<APITokenModel> {
        query.filter(\.$workspaceID == workspace.uuid)
    }
}

extension WebSessionModel: WorkspaceScopedModel {
    static func scoped(_ query: QueryBuilder<WebSessionModel>, to workspace: WorkspaceID) -> QueryBuilder<WebSessionModel> {
        query.filter(\.$workspaceID == workspace.uuid)
    }
}

extension InvitationModel: WorkspaceScopedModel {
    static func scoped(_ query: QueryBuilder<InvitationModel>, to workspace: WorkspaceID) -> QueryBuilder<InvitationModel> {
        query.filter(\.$workspaceID == workspace.uuid)
    }
}

extension AuditEventModel: WorkspaceScopedModel {
    static func scoped(_ query: QueryBuilder<AuditEventModel>, to workspace: WorkspaceID) -> QueryBuilder<AuditEventModel> {
        query.filter(\.$workspaceID == workspace.uuid)
    }
}
