import FluentKit
import Foundation
import KefuCore

/// The repositories of one workspace, already bound to it: every query they run is filtered by the workspace and
/// every row they write belongs to it. A request gets these for its caller's workspace and nothing else.
public struct WorkspaceData: Sendable {
    public let workspaceID: WorkspaceID
    let database: any Database
    /// The store's write gate; nil inside a transaction, where `transaction` joins the one already open.
    let gate: WriteGate?
    /// SQLite's batching of small write transactions; nil on PostgreSQL and inside a transaction.
    let groupCommit: GroupCommit?

    init(_ workspaceID: WorkspaceID, database: any Database, gate: WriteGate?, groupCommit: GroupCommit? = nil) {
        self.workspaceID = workspaceID
        self.database = database
        self.gate = gate
        self.groupCommit = groupCommit
    }

    var scope: WorkspaceScope { WorkspaceScope(db: database, workspaceID: workspaceID) }

    public var profile: any WorkspaceProfileRepository { SQLWorkspaceProfileRepository(scope: scope) }
    public var members: any MemberRepository { SQLMemberRepository(scope: scope) }
    public var invitations: any InvitationRepository { SQLInvitationRepository(scope: scope) }
    public var teams: any TeamRepository { SQLTeamRepository(scope: scope) }
    public var tokens: any TokenRepository { SQLTokenRepository(scope: scope) }
    public var sessions: any SessionRepository { SQLSessionRepository(scope: scope) }
    public var audit: any AuditRepository { SQLAuditRepository(scope: scope) }
    public var knowledge: any KnowledgeRepository { SQLKnowledgeRepository(scope: scope) }
    public var bot: any BotRepository { SQLBotRepository(scope: scope) }
    public var jobs: any JobRepository { SQLJobRepository(scope: scope) }
    public var contacts: any ContactRepository { SQLContactRepository(scope: scope) }
    public var conversations: any ConversationRepository { SQLConversationRepository(scope: scope) }
    public var cannedReplies: any CannedReplyRepository { SQLCannedReplyRepository(scope: scope) }
    public var sensitiveWords: any SensitiveWordRepository { SQLSensitiveWordRepository(scope: scope) }
    public var presence: any PresenceRepository { SQLPresenceRepository(scope: scope) }
    public var routing: any RoutingRepository { SQLRoutingRepository(scope: scope) }
    public var businessHours: any BusinessHoursRepository { SQLBusinessHoursRepository(scope: scope) }
    public var deliveries: any DeliveryRepository { SQLDeliveryRepository(scope: scope) }
    public var emailSettings: any EmailSettingsRepository { SQLEmailSettingsRepository(scope: scope) }
    public var tickets: any TicketRepository { SQLTicketRepository(scope: scope) }
    public var slaPolicies: any SLAPolicyRepository { SQLSLAPolicyRepository(scope: scope) }
    public var ticketViews: any TicketViewRepository { SQLTicketViewRepository(scope: scope) }
    public var ticketFields: any TicketFieldRepository { SQLTicketFieldRepository(scope: scope) }
    public var idempotency: any IdempotencyRepository { SQLIdempotencyRepository(scope: scope) }
    public var actions: any ActionRepository { SQLActionRepository(scope: scope) }

    /// Runs `body` in one transaction; everything it wrote is undone if it throws.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (WorkspaceData) async throws -> T) async throws -> T {
        guard let gate else { return try await body(self) }
        return try await database.writeTransaction(gate: gate) { [workspaceID] tx in
            try await body(WorkspaceData(workspaceID, database: tx, gate: nil))
        }
    }

    /// As `transaction`, for small hot writes (a chat message): on SQLite it may share one transaction with others
    /// waiting at the same moment (each undone alone if it throws); it returns only after that transaction committed.
    public func groupedTransaction<T: Sendable>(_ body: @escaping @Sendable (WorkspaceData) async throws -> T) async throws
        -> T
    {
        guard gate != nil, let groupCommit else { return try await transaction(body) }
        return try await groupCommit.run { [workspaceID] tx in
            try await body(WorkspaceData(workspaceID, database: tx, gate: nil))
        }
    }
}

extension WorkspaceData {
    /// A chat message appended in one thread hop where the store can (a SQLite file) and the append changes nothing
    /// else: the client id is new; a customer's conversation is the bot's or people's (`open`) and the contact's when
    /// one is named; an agent's is people's and owes no e-mail reply. Nil: nothing was written; take
    /// `groupedTransaction`. Returns after the commit.
    public func quickAppend(_ id: ConversationID, _ message: NewMessage, contact: ContactID?, at: Date) async throws
        -> AppendResult?
    {
        guard gate != nil, let writer = groupCommit?.writer, message.attachmentID == nil else { return nil }
        return try await writer.append(
            SQLiteChatWriter.Append(
                workspace: workspaceID.uuid, conversation: id.uuid, contact: contact?.uuid, message: message, at: at))
    }
}

extension Store {
    /// The repositories of one workspace.
    public func scoped(to workspace: WorkspaceID) -> WorkspaceData {
        WorkspaceData(workspace, database: database, gate: writeGate, groupCommit: groupCommit)
    }

    /// The few cross-workspace paths, named as such: sign-in and credential lookup, `kefu admin`, the sweeper.
    public var unscoped: UnscopedData { UnscopedData(database: database, gate: writeGate) }
}
