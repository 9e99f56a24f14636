import Foundation
import KefuCore
import SQLKit

/// The bound workspace's deliveries: queue one (inside the caller's transaction, so a rolled-back change sends
/// nothing), list them newest first, read one, queue a dead one again.
public protocol DeliveryRepository: Sendable {
    func enqueue(_ new: NewDelivery, at: Date) async throws -> Delivery
    func delivery(_ id: DeliveryID) async throws -> Delivery
    /// Newest first; `before` is the cursor (the last delivery of the previous page).
    func list(
        status: Delivery.Status?, channel: Delivery.Channel?, conversation: ConversationID?, before: DeliveryID?,
        limit: Int
    ) async throws -> [Delivery]
    func count(status: Delivery.Status) async throws -> Int
    /// Queues a dead delivery again with fresh attempts, due now.
    func retry(_ id: DeliveryID, at: Date) async throws -> Delivery
    /// The ids of the thread's e-mails queued before `delivery`, oldest first (for `References`).
    func thread(of delivery: Delivery, limit: Int) async throws -> [DeliveryID]
}

struct DeliveryRow: Decodable {
    var id: UUID
    var workspace_id: UUID
    var channel: String
    var event: String
    var target: String
    var subject: String
    var body: String
    var payload: String
    var status: String
    var attempts: Int
    var max_attempts: Int
    var next_attempt_at: Date?
    var last_error: String?
    var thread_key: String?
    var conversation_id: UUID?
    var ticket_id: UUID?
    var message_id: UUID?
    var created_at: Date
    var updated_at: Date
    var delivered_at: Date?

    func record() throws -> Delivery {
        Delivery(
            id: DeliveryID(id), workspaceID: WorkspaceID(workspace_id),
            channel: try decodeStored(Delivery.Channel.self, channel, table: "deliveries", column: "channel"),
            event: event, target: target, subject: subject, body: body, payload: payload,
            status: try decodeStored(Delivery.Status.self, status, table: "deliveries", column: "status"),
            attempts: attempts, maxAttempts: max_attempts, nextAttemptAt: next_attempt_at, lastError: last_error,
            threadKey: thread_key, conversationID: conversation_id.map(ConversationID.init),
            ticketID: ticket_id.map(TicketID.init), messageID: message_id.map(MessageID.init), createdAt: created_at,
            updatedAt: updated_at, deliveredAt: delivered_at)
    }
}

struct SQLDeliveryRepository: DeliveryRepository {
    let scope: WorkspaceScope

    private var sql: any SQLDatabase { get throws { try scope.sql } }
    private var workspace: UUID { scope.workspaceID.uuid }

    func enqueue(_ new: NewDelivery, at now: Date) async throws -> Delivery {
        let id = DeliveryID(UUID())
        if let conversation = new.conversationID {
            let owned = try await sql.raw(
                "SELECT id FROM conversations WHERE id = \(bind: conversation.uuid) AND workspace_id = \(bind: workspace)"
            ).first()
            guard owned != nil else { throw DomainError.notFound(.conversation) }
        }
        try await sql.raw(
            """
            INSERT INTO deliveries (id, workspace_id, channel, event, target, subject, body, payload, status, attempts, \
            max_attempts, next_attempt_at, thread_key, conversation_id, ticket_id, message_id, created_at, updated_at) \
            VALUES (\(bind: id.uuid), \(bind: workspace), \(bind: new.channel.rawValue), \(bind: new.event), \
            \(bind: new.target), \(bind: new.subject), \(bind: new.body), \(bind: new.payload), 'queued', 0, \
            \(bind: max(1, new.maxAttempts)), \(bind: now), \(bind: new.threadKey), \(bind: new.conversationID?.uuid), \
            \(bind: new.ticketID?.uuid), \(bind: new.messageID?.uuid), \(bind: now), \(bind: now))
            """
        ).run()
        return Delivery(
            id: id, workspaceID: scope.workspaceID, channel: new.channel, event: new.event, target: new.target,
            subject: new.subject, body: new.body, payload: new.payload, status: .queued, attempts: 0,
            maxAttempts: max(1, new.maxAttempts), nextAttemptAt: now, lastError: nil, threadKey: new.threadKey,
            conversationID: new.conversationID, ticketID: new.ticketID, messageID: new.messageID, createdAt: now,
            updatedAt: now, deliveredAt: nil)
    }

    func delivery(_ id: DeliveryID) async throws -> Delivery {
        guard
            let row = try await sql.raw(
                "SELECT * FROM deliveries WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: workspace)"
            ).first(decoding: DeliveryRow.self)
        else { throw DomainError.notFound(.delivery) }
        return try row.record()
    }

    func list(
        status: Delivery.Status?, channel: Delivery.Channel?, conversation: ConversationID?, before: DeliveryID?, limit: Int
    ) async throws -> [Delivery] {
        var query = SQLQueryString("SELECT * FROM deliveries WHERE workspace_id = \(bind: workspace)")
        if let status { query = query + " AND status = \(bind: status.rawValue)" }
        if let channel { query = query + " AND channel = \(bind: channel.rawValue)" }
        if let conversation { query = query + " AND conversation_id = \(bind: conversation.uuid)" }
        if let before {
            let cursor = try await delivery(before)
            query =
                query
                + " AND (created_at < \(bind: cursor.createdAt) OR (created_at = \(bind: cursor.createdAt) AND id < \(bind: cursor.id.uuid)))"
        }
        query = query + " ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)"
        return try await sql.raw(query).all(decoding: DeliveryRow.self).map { try $0.record() }
    }

    func count(status: Delivery.Status) async throws -> Int {
        let row = try await sql.raw(
            "SELECT COUNT(*) AS n FROM deliveries WHERE workspace_id = \(bind: workspace) AND status = \(bind: status.rawValue)"
        ).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    func retry(_ id: DeliveryID, at now: Date) async throws -> Delivery {
        let current = try await delivery(id)
        guard current.status == .dead else { throw DomainError.conflict(.deliveryNotDead) }
        let row = try await sql.raw(
            """
            UPDATE deliveries SET status = 'queued', attempts = 0, next_attempt_at = \(bind: now), updated_at = \(bind: now), \
            locked_by = NULL, locked_until = NULL \
            WHERE id = \(bind: id.uuid) AND workspace_id = \(bind: workspace) AND status = 'dead' RETURNING id
            """
        ).first()
        guard row != nil else { throw DomainError.conflict(.deliveryNotDead) }
        return try await delivery(id)
    }

    func thread(of delivery: Delivery, limit: Int) async throws -> [DeliveryID] {
        guard let key = delivery.threadKey else { return [] }
        let rows = try await sql.raw(
            """
            SELECT id FROM deliveries WHERE workspace_id = \(bind: workspace) AND thread_key = \(bind: key) \
            AND channel = 'email' AND id <> \(bind: delivery.id.uuid) \
            AND (created_at < \(bind: delivery.createdAt) OR (created_at = \(bind: delivery.createdAt) AND id < \(bind: delivery.id.uuid))) \
            ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
            """
        ).all()
        return try rows.map { DeliveryID(try $0.decode(column: "id", as: UUID.self)) }.reversed()
    }
}

/// The queue as the delivery worker sees it, across workspaces: claim the next due delivery under a lease, then
/// mark it delivered, queue it for a later attempt, or end it dead.
public protocol DeliveryQueue: Sendable {
    /// Whether a delivery of these channels is due: a plain read, so idle workers never take SQLite's write lock.
    /// With `emailOnlyWhereSet` (the server has no e-mail server of its own) e-mails count only for workspaces that
    /// set one.
    func due(channels: [Delivery.Channel], emailOnlyWhereSet: Bool, now: Date) async throws -> Bool
    /// Takes the oldest due delivery of these channels — queued and due, or sending with an expired lease (its worker
    /// died) — and leases it to `worker` until `leaseUntil`, counting the attempt.
    func claim(channels: [Delivery.Channel], emailOnlyWhereSet: Bool, worker: String, now: Date, leaseUntil: Date)
        async throws -> Delivery?
    func delivered(_ id: DeliveryID, worker: String, at: Date) async throws
    /// Queues it again at `retryAt`, or ends it dead when nil.
    func failed(_ id: DeliveryID, worker: String, error: String, retryAt: Date?, at: Date) async throws
}

struct SQLDeliveryQueue: DeliveryQueue {
    let sql: any SQLDatabase

    private func dueCondition(_ channels: [Delivery.Channel], emailOnlyWhereSet: Bool, now: Date) -> SQLQueryString {
        let list = SQLList(channels.map { SQLBind($0.rawValue) })
        let whereSet: SQLQueryString =
            emailOnlyWhereSet
            ? " AND (channel <> 'email' OR workspace_id IN (SELECT workspace_id FROM email_settings))" : ""
        return """
            channel IN (\(list))\(whereSet) AND \
            ((status = 'queued' AND next_attempt_at <= \(bind: now)) OR (status = 'sending' AND locked_until < \(bind: now)))
            """
    }

    func due(channels: [Delivery.Channel], emailOnlyWhereSet: Bool, now: Date) async throws -> Bool {
        guard !channels.isEmpty else { return false }
        let condition = dueCondition(channels, emailOnlyWhereSet: emailOnlyWhereSet, now: now)
        return try await sql.raw("SELECT id FROM deliveries WHERE \(condition) LIMIT 1").first() != nil
    }

    func claim(channels: [Delivery.Channel], emailOnlyWhereSet: Bool, worker: String, now: Date, leaseUntil: Date)
        async throws -> Delivery?
    {
        guard !channels.isEmpty else { return nil }
        let postgres = sql.dialect.name != "sqlite"
        let lock: SQLQueryString = postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return try await sql.raw(
            """
            UPDATE deliveries SET status = 'sending', attempts = attempts + 1, locked_by = \(bind: worker), \
            locked_until = \(bind: leaseUntil), updated_at = \(bind: now) \
            WHERE id = (SELECT id FROM deliveries WHERE \(dueCondition(channels, emailOnlyWhereSet: emailOnlyWhereSet, now: now)) \
            ORDER BY next_attempt_at LIMIT 1\(lock)) \
            RETURNING *
            """
        ).first(decoding: DeliveryRow.self)?.record()
    }

    func delivered(_ id: DeliveryID, worker: String, at now: Date) async throws {
        try await sql.raw(
            """
            UPDATE deliveries SET status = 'delivered', delivered_at = \(bind: now), updated_at = \(bind: now), \
            next_attempt_at = NULL, last_error = NULL, locked_by = NULL, locked_until = NULL \
            WHERE id = \(bind: id.uuid) AND locked_by = \(bind: worker) AND status = 'sending'
            """
        ).run()
    }

    func failed(_ id: DeliveryID, worker: String, error: String, retryAt: Date?, at now: Date) async throws {
        let status = retryAt == nil ? "dead" : "queued"
        try await sql.raw(
            """
            UPDATE deliveries SET status = \(bind: status), next_attempt_at = \(bind: retryAt), \
            last_error = \(bind: String(error.prefix(2000))), updated_at = \(bind: now), locked_by = NULL, locked_until = NULL \
            WHERE id = \(bind: id.uuid) AND locked_by = \(bind: worker) AND status = 'sending'
            """
        ).run()
    }
}
