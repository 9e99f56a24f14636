import Foundation
import KefuCore
import SQLKit

/// Routing's view of the bound workspace: agents' capacity and load, the teams' queues, and which agents have a
/// console open on some instance. Decisions run inside a transaction after `lock`.
public protocol RoutingRepository: Sendable {
    /// Inside a transaction: serialises routing decisions of this workspace across instances until it ends
    /// (PostgreSQL: a transaction-scoped advisory lock; SQLite's immediate transactions already exclude writers).
    func lock() async throws
    func settings(_ user: UserID) async throws -> AgentRouting
    func setSettings(_ user: UserID, _ routing: AgentRouting) async throws
    /// Members connected (a fresh connection row) and online, in `team` (any member when nil), with their load.
    func candidates(team: TeamID?, connectedSince: Date) async throws -> [RoutingCandidate]
    /// Every member's settings, open chats and whether a console of theirs is open.
    func loads(connectedSince: Date) async throws -> [UserID: AgentLoadRecord]
    /// Gives the conversation to the agent and takes it out of its queue.
    func assign(_ id: ConversationID, to user: UserID, at: Date) async throws -> Conversation
    /// Puts the conversation at the back of its team's queue, unless it already waits there.
    func enqueue(_ id: ConversationID, at: Date) async throws -> Conversation
    /// Takes the conversation out of its queue without assigning it.
    func dequeue(_ id: ConversationID) async throws -> Conversation
    /// The team's waiting conversations, first in line first.
    func queue(team: TeamID?, limit: Int) async throws -> [ConversationID]
    /// The teams with someone waiting (nil: conversations of no team).
    func queuedTeams() async throws -> [TeamID?]
    /// Mean seconds from assignment to resolution over the team's most recent resolved chats; nil without any.
    func meanHandlingSeconds(team: TeamID?, recent: Int) async throws -> Double?
    /// Counts `delta` console sockets of the agent on this instance and marks the row fresh.
    func connections(_ user: UserID, instance: UUID, delta: Int, at: Date) async throws
    /// Members with a console open on some instance (a row fresher than `since`).
    func connectedAgents(since: Date) async throws -> Set<UserID>
    /// Open conversations whose agent had a console but has had none on any instance since before `offlineBefore`
    /// (agents who never opened one, working through the API, are left alone).
    func orphaned(offlineBefore: Date, connectedSince: Date) async throws -> [ConversationID]
    /// Unassigns the conversation and puts it at the head of its team's queue.
    func requeueAtHead(_ id: ConversationID, at: Date) async throws -> Conversation
    /// Forgets connection rows nobody refreshed since `before` (instances long gone).
    func forgetConnections(before: Date) async throws
    /// Marks every connection row of this instance fresh.
    func heartbeat(instance: UUID, at: Date) async throws
}

struct SQLRoutingRepository: RoutingRepository {
    let scope: WorkspaceScope

    private var sql: any SQLDatabase { get throws { try scope.sql } }
    private var workspace: UUID { scope.workspaceID.uuid }
    private var isSQLite: Bool { (try? sql.dialect.name) == "sqlite" }

    func lock() async throws {
        guard !isSQLite else { return }
        // Two keys: a fixed class for routing, and the workspace id folded into 32 bits.
        let key = Int32(truncatingIfNeeded: workspace.hashValueStable)
        try await sql.raw("SELECT pg_advisory_xact_lock(4242, \(bind: key))").run()
    }

    private struct SettingsRow: Decodable {
        var max_chats: Int
        var skills: String
        var languages: String
    }

    func settings(_ user: UserID) async throws -> AgentRouting {
        guard
            let row = try await sql.raw(
                """
                SELECT max_chats, skills, languages FROM memberships \
                WHERE workspace_id = \(bind: workspace) AND user_id = \(bind: user.uuid)
                """
            ).first(decoding: SettingsRow.self)
        else { throw DomainError.notFound(.member) }
        return try Self.routing(row.max_chats, row.skills, row.languages)
    }

    private static func routing(_ maxChats: Int, _ skills: String, _ languages: String) throws -> AgentRouting {
        AgentRouting(
            maxChats: maxChats,
            skills: try StoredJSON.decode([String].self, skills, table: "memberships", column: "skills"),
            languages: try StoredJSON.decode([String].self, languages, table: "memberships", column: "languages"))
    }

    func setSettings(_ user: UserID, _ routing: AgentRouting) async throws {
        let changed = try await sql.raw(
            """
            UPDATE memberships SET max_chats = \(bind: routing.maxChats), skills = \(bind: StoredJSON.encode(routing.skills)), \
            languages = \(bind: StoredJSON.encode(routing.languages)) \
            WHERE workspace_id = \(bind: workspace) AND user_id = \(bind: user.uuid) RETURNING user_id
            """
        ).all()
        guard !changed.isEmpty else { throw DomainError.notFound(.member) }
    }

    func candidates(team: TeamID?, connectedSince: Date) async throws -> [RoutingCandidate] {
        struct Row: Decodable {
            var user_id: UUID
            var display_name: String
            var max_chats: Int
            var skills: String
            var languages: String
            var last_routed_at: Date?
            var open_chats: Int
        }
        let inTeam: SQLQueryString =
            team.map {
                """
                 AND EXISTS (SELECT 1 FROM team_members t WHERE t.workspace_id = m.workspace_id \
                AND t.team_id = \(bind: $0.uuid) AND t.user_id = m.user_id)
                """
            } ?? ""
        let rows = try await sql.raw(
            """
            SELECT m.user_id, u.display_name, m.max_chats, m.skills, m.languages, m.last_routed_at, \
            (SELECT COUNT(*) FROM conversations c WHERE c.workspace_id = m.workspace_id AND c.assignee_id = m.user_id \
            AND c.status = 'open') AS open_chats \
            FROM memberships m JOIN users u ON u.id = m.user_id \
            WHERE m.workspace_id = \(bind: workspace) AND m.max_chats > 0 \
            AND EXISTS (SELECT 1 FROM agent_connections a WHERE a.workspace_id = m.workspace_id \
            AND a.user_id = m.user_id AND a.sockets > 0 AND a.seen_at > \(bind: connectedSince)) \
            AND NOT EXISTS (SELECT 1 FROM agent_presence p WHERE p.workspace_id = m.workspace_id \
            AND p.user_id = m.user_id AND p.status <> 'online')\(inTeam)
            """
        ).all(decoding: Row.self)
        return try rows.map { row in
            RoutingCandidate(
                user: UserID(row.user_id), name: row.display_name,
                routing: try Self.routing(row.max_chats, row.skills, row.languages), openChats: row.open_chats,
                lastRoutedAt: row.last_routed_at)
        }
    }

    func loads(connectedSince: Date) async throws -> [UserID: AgentLoadRecord] {
        struct Row: Decodable {
            var user_id: UUID
            var max_chats: Int
            var skills: String
            var languages: String
            var open_chats: Int
            var connected: Int
        }
        let rows = try await sql.raw(
            """
            SELECT m.user_id, m.max_chats, m.skills, m.languages, \
            (SELECT COUNT(*) FROM conversations c WHERE c.workspace_id = m.workspace_id AND c.assignee_id = m.user_id \
            AND c.status = 'open') AS open_chats, \
            (SELECT COUNT(*) FROM agent_connections a WHERE a.workspace_id = m.workspace_id AND a.user_id = m.user_id \
            AND a.sockets > 0 AND a.seen_at > \(bind: connectedSince)) AS connected \
            FROM memberships m WHERE m.workspace_id = \(bind: workspace)
            """
        ).all(decoding: Row.self)
        var out: [UserID: AgentLoadRecord] = [:]
        for row in rows {
            out[UserID(row.user_id)] = AgentLoadRecord(
                routing: try Self.routing(row.max_chats, row.skills, row.languages), openChats: row.open_chats,
                connected: row.connected > 0)
        }
        return out
    }

    func assign(_ id: ConversationID, to user: UserID, at: Date) async throws -> Conversation {
        try await sql.raw(
            """
            UPDATE conversations SET assignee_id = \(bind: user.uuid), assigned_at = \(bind: at), queued_at = NULL, \
            updated_at = \(bind: at) WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: workspace)
            """
        ).run()
        try await sql.raw(
            """
            UPDATE memberships SET last_routed_at = \(bind: at) \
            WHERE workspace_id = \(bind: workspace) AND user_id = \(bind: user.uuid)
            """
        ).run()
        return try await SQLConversationRepository(scope: scope).conversation(id)
    }

    func enqueue(_ id: ConversationID, at: Date) async throws -> Conversation {
        try await sql.raw(
            """
            UPDATE conversations SET queued_at = \(bind: at), updated_at = \(bind: at) \
            WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: workspace) AND queued_at IS NULL
            """
        ).run()
        return try await SQLConversationRepository(scope: scope).conversation(id)
    }

    func dequeue(_ id: ConversationID) async throws -> Conversation {
        try await sql.raw(
            "UPDATE conversations SET queued_at = NULL WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: workspace)"
        ).run()
        return try await SQLConversationRepository(scope: scope).conversation(id)
    }

    private func teamFilter(_ team: TeamID?) -> SQLQueryString {
        team.map { " AND team_id = \(bind: $0.uuid)" } ?? " AND team_id IS NULL"
    }

    func queue(team: TeamID?, limit: Int) async throws -> [ConversationID] {
        struct Row: Decodable { var id: UUID }
        return try await sql.raw(
            """
            SELECT id FROM conversations WHERE workspace_id = \(bind: workspace) AND queued_at IS NOT NULL\
            \(teamFilter(team)) ORDER BY queued_at, id LIMIT \(unsafeRaw: String(limit))
            """
        ).all(decoding: Row.self).map { ConversationID($0.id) }
    }

    func queuedTeams() async throws -> [TeamID?] {
        struct Row: Decodable { var team_id: UUID? }
        return try await sql.raw(
            """
            SELECT DISTINCT team_id FROM conversations WHERE workspace_id = \(bind: workspace) AND queued_at IS NOT NULL
            """
        ).all(decoding: Row.self).map { $0.team_id.map { TeamID($0) } }
    }

    func meanHandlingSeconds(team: TeamID?, recent: Int) async throws -> Double? {
        struct Row: Decodable {
            var assigned_at: Date
            var resolved_at: Date
        }
        let rows = try await sql.raw(
            """
            SELECT assigned_at, resolved_at FROM conversations WHERE workspace_id = \(bind: workspace) \
            AND status = 'resolved' AND assigned_at IS NOT NULL AND resolved_at IS NOT NULL\(teamFilter(team)) \
            ORDER BY resolved_at DESC LIMIT \(unsafeRaw: String(recent))
            """
        ).all(decoding: Row.self)
        let durations = rows.map { max(0, $0.resolved_at.timeIntervalSince($0.assigned_at)) }
        return durations.isEmpty ? nil : durations.reduce(0, +) / Double(durations.count)
    }

    func connections(_ user: UserID, instance: UUID, delta: Int, at: Date) async throws {
        try await sql.raw(
            """
            INSERT INTO agent_connections (id, workspace_id, user_id, instance_id, sockets, seen_at) VALUES (\
            \(bind: UUID()), \(bind: workspace), \(bind: user.uuid), \(bind: instance), \(bind: max(0, delta)), \
            \(bind: at)) ON CONFLICT (workspace_id, user_id, instance_id) DO UPDATE SET \
            sockets = CASE WHEN agent_connections.sockets + \(bind: delta) < 0 THEN 0 \
            ELSE agent_connections.sockets + \(bind: delta) END, seen_at = excluded.seen_at
            """
        ).run()
    }

    func connectedAgents(since: Date) async throws -> Set<UserID> {
        struct Row: Decodable { var user_id: UUID }
        let rows = try await sql.raw(
            """
            SELECT DISTINCT user_id FROM agent_connections WHERE workspace_id = \(bind: workspace) AND sockets > 0 \
            AND seen_at > \(bind: since)
            """
        ).all(decoding: Row.self)
        return Set(rows.map { UserID($0.user_id) })
    }

    func orphaned(offlineBefore: Date, connectedSince: Date) async throws -> [ConversationID] {
        struct Row: Decodable { var id: UUID }
        return try await sql.raw(
            """
            SELECT c.id FROM conversations c WHERE c.workspace_id = \(bind: workspace) AND c.status = 'open' \
            AND c.assignee_id IS NOT NULL \
            AND EXISTS (SELECT 1 FROM agent_connections a WHERE a.workspace_id = c.workspace_id \
            AND a.user_id = c.assignee_id) \
            AND NOT EXISTS (SELECT 1 FROM agent_connections a WHERE a.workspace_id = c.workspace_id \
            AND a.user_id = c.assignee_id AND ((a.sockets > 0 AND a.seen_at > \(bind: connectedSince)) \
            OR a.seen_at >= \(bind: offlineBefore))) \
            ORDER BY c.assigned_at
            """
        ).all(decoding: Row.self).map { ConversationID($0.id) }
    }

    func requeueAtHead(_ id: ConversationID, at: Date) async throws -> Conversation {
        let current = try await SQLConversationRepository(scope: scope).conversation(id)
        struct Row: Decodable { var first: Date? }
        let head = try await sql.raw(
            """
            SELECT MIN(queued_at) AS first FROM conversations WHERE workspace_id = \(bind: workspace) \
            AND queued_at IS NOT NULL\(teamFilter(current.teamID))
            """
        ).first(decoding: Row.self)?.first
        let place = min(head?.addingTimeInterval(-1) ?? at, at)
        try await sql.raw(
            """
            UPDATE conversations SET assignee_id = NULL, queued_at = \(bind: place), updated_at = \(bind: at) \
            WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: workspace)
            """
        ).run()
        return try await SQLConversationRepository(scope: scope).conversation(id)
    }

    func forgetConnections(before: Date) async throws {
        try await sql.raw(
            """
            DELETE FROM agent_connections WHERE workspace_id = \(bind: workspace) AND seen_at < \(bind: before)
            """
        ).run()
    }

    func heartbeat(instance: UUID, at: Date) async throws {
        try await sql.raw(
            """
            UPDATE agent_connections SET seen_at = \(bind: at) \
            WHERE workspace_id = \(bind: workspace) AND instance_id = \(bind: instance)
            """
        ).run()
    }
}

extension UUID {
    /// The same number on every instance and every run (`hashValue` is seeded per process).
    var hashValueStable: Int64 {
        withUnsafeBytes(of: uuid) { bytes in
            bytes.prefix(8).reduce(Int64(0)) { ($0 << 8) | Int64($1) }
        }
    }
}
