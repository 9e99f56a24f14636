import FluentKit
import Foundation
import KefuCore
import SQLKit

/// Which conversations an inbox lists, newest activity first.
public struct ConversationFilter: Sendable, Equatable {
    public var statuses: [ConversationStatus]
    public var assignee: UserID?
    public var unassignedOnly: Bool
    /// Only these teams, plus conversations without a team; nil: any team.
    public var teams: [TeamID]?
    public var contact: ContactID?
    /// Conversations whose last activity is older than this (the next page).
    public var before: Date?

    public init(
        statuses: [ConversationStatus] = [], assignee: UserID? = nil, unassignedOnly: Bool = false, teams: [TeamID]? = nil,
        contact: ContactID? = nil, before: Date? = nil
    ) {
        self.statuses = statuses
        self.assignee = assignee
        self.unassignedOnly = unassignedOnly
        self.teams = teams
        self.contact = contact
        self.before = before
    }
}

/// A change to a conversation's state; nil keeps the stored value.
public struct ConversationChange: Sendable, Equatable {
    public var status: ConversationStatus?
    /// `.some(nil)` unassigns.
    public var assignee: UserID??
    public var team: TeamID??
    public var priority: ConversationPriority?
    public var tags: [String]?
    public var handoff: Handoff?
    /// `.some(nil)` clears the flow state.
    public var botState: String??
    /// Marks that the customer left a message for later (the first time only).
    public var leftMessage: Bool
    /// Replaces the address replies are copied to.
    public var replyTo: String?

    public init(
        status: ConversationStatus? = nil, assignee: UserID?? = nil, team: TeamID?? = nil,
        priority: ConversationPriority? = nil, tags: [String]? = nil, handoff: Handoff? = nil, botState: String?? = nil,
        leftMessage: Bool = false, replyTo: String? = nil
    ) {
        self.leftMessage = leftMessage
        self.replyTo = replyTo
        self.status = status
        self.assignee = assignee
        self.team = team
        self.priority = priority
        self.tags = tags
        self.handoff = handoff
        self.botState = botState
    }
}

/// The bound workspace's conversations, their messages, read state and attachments. Writes are meant to run inside
/// `WorkspaceData.transaction`: `append` locks the conversation row so that sequence numbers have no gaps or
/// duplicates across instances.
public protocol ConversationRepository: Sendable {
    func start(contact: ContactID, status: ConversationStatus, locale: ContentLocale, team: TeamID?, at: Date)
        async throws -> Conversation
    func conversation(_ id: ConversationID) async throws -> Conversation
    func conversations(_ filter: ConversationFilter, limit: Int) async throws -> [Conversation]
    func count(_ filter: ConversationFilter) async throws -> Int
    func update(_ id: ConversationID, _ change: ConversationChange, at: Date) async throws -> Conversation
    /// Takes an unassigned conversation for `agent`; `DomainError.conflict(.alreadyAssigned)` when someone else has it.
    func claim(_ id: ConversationID, for agent: UserID, at: Date) async throws -> Conversation
    /// Reads the conversation under its row lock (inside a transaction): checks made on it hold until commit.
    func lock(_ id: ConversationID) async throws -> Conversation

    /// Stores the message with the conversation's next sequence number, or returns the one stored earlier with the
    /// same client id.
    func append(_ id: ConversationID, _ message: NewMessage, at: Date) async throws -> AppendResult
    /// Messages after `seq`, oldest first; private notes only when asked.
    func messages(_ id: ConversationID, after seq: Int64, limit: Int, includePrivate: Bool) async throws -> [ChatMessage]
    /// The newest `limit` messages before `seq` (for scrolling back), oldest first.
    func messages(_ id: ConversationID, before seq: Int64, limit: Int, includePrivate: Bool) async throws -> [ChatMessage]

    /// Raises the participant's read mark to `seq` (never lowers it, never past the last message); returns the mark.
    func markRead(_ id: ConversationID, participant: String, seq: Int64, at: Date) async throws -> Int64
    func readMarks(_ id: ConversationID) async throws -> [String: Int64]

    func addAttachment(_ attachment: ChatAttachment, storageKey: String) async throws
    func attachment(_ id: AttachmentID) async throws -> (attachment: ChatAttachment, storageKey: String)
    /// A file already stored in the conversation with these bytes (by digest and size), to store it once.
    func attachment(conversation: ConversationID, sha256: String, size: Int) async throws
        -> (attachment: ChatAttachment, storageKey: String)?
    /// Bytes the workspace's files take on disk (each stored file once).
    func attachmentBytes() async throws -> Int

    /// Messages holding every term of `query` (full-text, Chinese-aware: see `SearchTerms`), newest first, in
    /// conversations `visibleTo` may see.
    func search(_ query: String, visibleTo: ConversationVisibility, limit: Int) async throws -> [ChatMessage]
}

/// Which conversations and tickets a reader sees — those of `teams` (nil: every team), those without a team, and
/// their own — and so which contacts: those with a conversation or a ticket they see. The one rule for all three.
public struct ConversationVisibility: Sendable, Equatable {
    public var teams: [TeamID]?
    public var user: UserID

    public init(teams: [TeamID]?, user: UserID) {
        self.teams = teams
        self.user = user
    }

    public var seesEverything: Bool { teams == nil }

    /// Whether the reader sees a conversation or ticket of `team` assigned to `assignee`.
    public func sees(team: TeamID?, assignee: UserID?) -> Bool {
        guard let teams, let team else { return true }
        return assignee == user || teams.contains(team)
    }

    /// The same rule in SQL over rows (conversations or tickets) named `alias`; nil when the reader sees everything.
    func condition(_ alias: String) -> SQLQueryString? {
        guard let teams else { return nil }
        var condition: SQLQueryString =
            "(\(unsafeRaw: alias).team_id IS NULL OR \(unsafeRaw: alias).assignee_id = \(bind: user.uuid)"
        for team in teams { condition = condition + " OR \(unsafeRaw: alias).team_id = \(bind: team.uuid)" }
        return condition + ")"
    }
}

struct SQLConversationRepository: ConversationRepository {
    let scope: WorkspaceScope

    func start(contact: ContactID, status: ConversationStatus, locale: ContentLocale, team: TeamID?, at: Date)
        async throws -> Conversation
    {
        let model = ConversationModel()
        model.id = UUID()
        model.workspaceID = scope.workspaceID.uuid
        model.contactID = contact.uuid
        model.status = status.rawValue
        model.teamID = team?.uuid
        model.priority = ConversationPriority.normal.rawValue
        model.tags = "[]"
        model.channel = "widget"
        model.lastSeq = 0
        model.locale = locale.rawValue
        model.preview = ""
        model.createdAt = at
        model.updatedAt = at
        model.lastMessageAt = at
        try await model.create(on: scope.db)
        return try model.record()
    }

    func model(_ id: ConversationID) async throws -> ConversationModel {
        guard let model = try await scope.query(ConversationModel.self).filter(\.$id == id.uuid).first() else {
            throw DomainError.notFound(.conversation)
        }
        return model
    }

    private func query(_ filter: ConversationFilter) -> QueryBuilder<ConversationModel> {
        let query = scope.query(ConversationModel.self)
        if !filter.statuses.isEmpty { query.filter(\.$status ~~ filter.statuses.map(\.rawValue)) }
        if let assignee = filter.assignee { query.filter(\.$assigneeID == assignee.uuid) }
        if filter.unassignedOnly { query.filter(\.$assigneeID == nil) }
        if let teams = filter.teams {
            let ids: [UUID?] = teams.map { $0.uuid }
            query.group(.or) { group in
                group.filter(\.$teamID == nil).filter(\.$teamID ~~ ids)
            }
        }
        if let contact = filter.contact { query.filter(\.$contactID == contact.uuid) }
        if let before = filter.before { query.filter(\.$lastMessageAt < before) }
        return query
    }

    func conversations(_ filter: ConversationFilter, limit: Int) async throws -> [Conversation] {
        try await query(filter).sort(\.$lastMessageAt, .descending).sort(\.$id).limit(limit).all().map { try $0.record() }
    }

    func count(_ filter: ConversationFilter) async throws -> Int { try await query(filter).count() }

    /// Plain SQL like the rest of the chat path: every bot turn and every reopen changes the row.
    func update(_ id: ConversationID, _ change: ConversationChange, at: Date) async throws -> Conversation {
        let sql = try sql
        var row = try await row(id)
        var extra: SQLQueryString = ""
        if let status = change.status {
            row.status = status.rawValue
            let resolvedAt: Date? = status == .resolved ? at : nil
            extra = ", resolved_at = \(bind: resolvedAt)"
        }
        if let assignee = change.assignee {
            row.assigneeID = assignee?.uuid
            if assignee != nil { extra = extra + ", assigned_at = \(bind: at)" }
        }
        // Out of the queue once someone has it, or nobody should: assigned, resolved, or back with the bot.
        if (change.assignee ?? nil) != nil || change.status == .resolved || change.status == .bot {
            row.queuedAt = nil
            extra = extra + ", queued_at = NULL"
        }
        if let team = change.team { row.teamID = team?.uuid }
        if let priority = change.priority { row.priority = priority.rawValue }
        if let tags = change.tags { row.tags = StoredJSON.encode(tags) }
        if let handoff = change.handoff { row.handoff = StoredJSON.encode(handoff) }
        if let botState = change.botState { row.botState = botState }
        if change.leftMessage, row.leftMessageAt == nil {
            row.leftMessageAt = at
            extra = extra + ", left_message_at = \(bind: at)"
        }
        if let replyTo = change.replyTo {
            row.replyTo = replyTo
            extra = extra + ", reply_to = \(bind: replyTo)"
        }
        row.updatedAt = at
        try await sql.raw(
            """
            UPDATE conversations SET status = \(bind: row.status), assignee_id = \(bind: row.assigneeID), \
            team_id = \(bind: row.teamID), priority = \(bind: row.priority), tags = \(bind: row.tags), \
            handoff = \(bind: row.handoff), bot_state = \(bind: row.botState), updated_at = \(bind: at)\(extra) \
            WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: scope.workspaceID.uuid)
            """
        ).run()
        return try row.record()
    }

    func claim(_ id: ConversationID, for agent: UserID, at: Date) async throws -> Conversation {
        guard let sql = scope.db as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        // One statement decides: of two agents taking the same conversation at once, exactly one changes the row.
        try await sql.raw(
            """
            UPDATE conversations SET assignee_id = \(bind: agent.uuid), assigned_at = \(bind: at), queued_at = NULL, \
            updated_at = \(bind: at) \
            WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: scope.workspaceID.uuid) AND assignee_id IS NULL
            """
        ).run()
        let model = try await model(id)
        guard model.assigneeID == agent.uuid else { throw DomainError.conflict(.alreadyAssigned) }
        return try model.record()
    }

    func markRead(_ id: ConversationID, participant: String, seq: Int64, at: Date) async throws -> Int64 {
        guard let sql = scope.db as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        let mark = max(0, min(seq, try await model(id).lastSeq))
        // One statement, so two tabs of the same agent marking at once never lower the mark.
        try await sql.raw(
            """
            INSERT INTO conversation_reads (id, workspace_id, conversation_id, participant, seq, updated_at) \
            VALUES (\(bind: UUID()), \(bind: scope.workspaceID.uuid), \(bind: id.uuid), \(bind: participant), \(bind: mark), \(bind: at)) \
            ON CONFLICT (conversation_id, participant) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at \
            WHERE excluded.seq > conversation_reads.seq
            """
        ).run()
        let stored = try await scope.query(ConversationReadModel.self).filter(\.$conversationID == id.uuid)
            .filter(\.$participant == participant).first()
        return stored?.seq ?? mark
    }

    func readMarks(_ id: ConversationID) async throws -> [String: Int64] {
        let rows = try await scope.query(ConversationReadModel.self).filter(\.$conversationID == id.uuid).all()
        var marks: [String: Int64] = [:]
        for row in rows { marks[row.participant] = Swift.max(marks[row.participant] ?? 0, row.seq) }
        return marks
    }

    func addAttachment(_ attachment: ChatAttachment, storageKey: String) async throws {
        _ = try await model(attachment.conversationID)
        let model = AttachmentModel()
        model.id = attachment.id.uuid
        model.workspaceID = scope.workspaceID.uuid
        model.conversationID = attachment.conversationID.uuid
        model.fileName = attachment.fileName
        model.contentType = attachment.contentType
        model.size = attachment.size
        model.sha256 = attachment.sha256
        model.storageKey = storageKey
        model.createdAt = attachment.createdAt
        try await model.create(on: scope.db)
    }

    func attachment(_ id: AttachmentID) async throws -> (attachment: ChatAttachment, storageKey: String) {
        guard let model = try await scope.query(AttachmentModel.self).filter(\.$id == id.uuid).first() else {
            throw DomainError.notFound(.attachment)
        }
        return (try model.record(), model.storageKey)
    }

    func attachment(conversation: ConversationID, sha256: String, size: Int) async throws
        -> (attachment: ChatAttachment, storageKey: String)?
    {
        guard
            let model = try await scope.query(AttachmentModel.self).filter(\.$conversationID == conversation.uuid)
                .filter(\.$sha256 == sha256).filter(\.$size == size).first()
        else { return nil }
        return (try model.record(), model.storageKey)
    }

    func attachmentBytes() async throws -> Int {
        let row = try await (try scope.sql).raw(
            """
            SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes FROM (SELECT storage_key, MAX(size) AS size FROM attachments \
            WHERE workspace_id = \(bind: scope.workspaceID.uuid) GROUP BY storage_key) AS files
            """
        ).first()
        return try row?.decode(column: "bytes", as: Int.self) ?? 0
    }
}
