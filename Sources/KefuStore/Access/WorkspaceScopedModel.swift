import FluentKit
import Foundation
import KefuCore
import SQLKit

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

    /// One row of `table` by id, of this workspace only; another workspace's id is `missing` not found.
    func row<Row: Decodable>(_ table: String, id: UUID, as type: Row.Type, missing: DomainError.Resource) async throws
        -> Row
    {
        guard
            let row = try await sql.raw(
                "SELECT * FROM \(ident: table) WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceID.uuid)"
            ).first(decoding: Row.self)
        else { throw DomainError.notFound(missing) }
        return row
    }

    /// The database as SQL, for the repositories that write their statements themselves (each binds `workspaceID`).
    var sql: any SQLDatabase {
        get throws {
            guard let sql = db as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
            return sql
        }
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

extension CategoryModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<CategoryModel, FieldProperty<CategoryModel, UUID>> { \.$workspaceID }
}

extension ArticleModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<ArticleModel, FieldProperty<ArticleModel, UUID>> { \.$workspaceID }
}

extension RevisionModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<RevisionModel, FieldProperty<RevisionModel, UUID>> { \.$workspaceID }
}

extension FAQModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<FAQModel, FieldProperty<FAQModel, UUID>> { \.$workspaceID }
}

extension ArticleVoteModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<ArticleVoteModel, FieldProperty<ArticleVoteModel, UUID>> { \.$workspaceID }
}

extension IntentModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<IntentModel, FieldProperty<IntentModel, UUID>> { \.$workspaceID }
}

extension PhraseModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<PhraseModel, FieldProperty<PhraseModel, UUID>> { \.$workspaceID }
}

extension FlowModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<FlowModel, FieldProperty<FlowModel, UUID>> { \.$workspaceID }
}

extension BotModelModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<BotModelModel, FieldProperty<BotModelModel, UUID>> { \.$workspaceID }
}

extension IndexLogModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<IndexLogModel, FieldProperty<IndexLogModel, UUID>> { \.$workspaceID }
}

extension JobModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<JobModel, FieldProperty<JobModel, UUID>> { \.$workspaceID }
}

extension ContactModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<ContactModel, FieldProperty<ContactModel, UUID>> { \.$workspaceID }
}

extension ContactIdentityModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<ContactIdentityModel, FieldProperty<ContactIdentityModel, UUID>> { \.$workspaceID }
}

extension ConversationModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<ConversationModel, FieldProperty<ConversationModel, UUID>> { \.$workspaceID }
}

extension MessageModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<MessageModel, FieldProperty<MessageModel, UUID>> { \.$workspaceID }
}

extension ConversationReadModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<ConversationReadModel, FieldProperty<ConversationReadModel, UUID>> { \.$workspaceID }
}

extension AttachmentModel: WorkspaceOwnedModel {
    static var workspaceField: KeyPath<AttachmentModel, FieldProperty<AttachmentModel, UUID>> { \.$workspaceID }
}
