import FluentKit
import Foundation
import KefuCore

/// A table whose rows belong to one workspace. Scoped repositories query it only through `WorkspaceScope`, which
/// applies this filter; the models are internal to KefuStore, so the server cannot query them at all. The only
/// unfiltered queries are the named cross-workspace lookups of `UnscopedData` (credentials by hash, the sweeper).
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

/// Most scoped tables keep the workspace in a required `workspace_id` field: naming it is enough.
protocol WorkspaceOwnedModel: WorkspaceScopedModel {
    static var workspaceField: KeyPath<Self, FieldProperty<Self, UUID>> { get }
}

extension WorkspaceOwnedModel {
    static func scoped(_ query: QueryBuilder<Self>, to workspace: WorkspaceID) -> QueryBuilder<Self> {
        query.filter(workspaceField == workspace.uuid)
    }
}

extension MembershipModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<MembershipModel, FieldProperty<MembershipModel, UUID>> { \.$workspace.$id }
}

extension TeamModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<TeamModel, FieldProperty<TeamModel, UUID>> { \.$workspaceID }
}

extension TeamMemberModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<TeamMemberModel, FieldProperty<TeamMemberModel, UUID>> { \.$workspaceID }
}

extension APITokenModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<APITokenModel, FieldProperty<APITokenModel, UUID>> { \.$workspaceID }
}

extension WebSessionModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<WebSessionModel, FieldProperty<WebSessionModel, UUID>> { \.$workspaceID }
}

extension InvitationModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<InvitationModel, FieldProperty<InvitationModel, UUID>> { \.$workspaceID }
}

/// The audit log's workspace is optional (system events have none); a scoped read sees only the workspace's own.
extension AuditEventModel: WorkspaceScopedModel {
    static func scoped(_ query: QueryBuilder<AuditEventModel>, to workspace: WorkspaceID) -> QueryBuilder<AuditEventModel> {
        query.filter(\.$workspaceID == workspace.uuid)
    }
}
