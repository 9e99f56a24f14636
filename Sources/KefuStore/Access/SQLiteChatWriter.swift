import Foundation
import KefuCore
import NIOCore
import NIOPosix
import SQLiteKit
import SQLiteNIO
import Synchronization
import VaporCSQLite

/// The chat hot path's writes on SQLite in one thread hop per batch. Through the driver every statement costs four
/// hand-offs between threads (task → event loop → blocking pool → back); here the appends waiting at one moment run
/// back to back on a thread of their own, on a connection of their own, with statements prepared once, inside the
/// process's write gate like every other write. Only the common case comes here — a message appended to a
/// conversation whose state it does not change; anything else (a resend, a conversation that must reopen, not the
/// sender's) inserts nothing and the caller takes the general path.
final class SQLiteChatWriter: Sendable {
    struct Append: Sendable {
        var workspace: UUID
        var conversation: UUID
        /// A customer's message: the conversation must be this contact's.
        var contact: UUID?
        var message: NewMessage
        var at: Date
    }

    private struct Item: Sendable {
        let append: Append
        let continuation: CheckedContinuation<AppendResult?, any Error>
    }

    private struct State {
        var pending: [Item] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let thread: NIOThreadPool
    private let connection: RawConnection
    private let gate: WriteGate

    init(path: String, gate: WriteGate) {
        self.gate = gate
        connection = RawConnection(path: path)
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
    }

    func shutdown() async {
        try? await thread.shutdownGracefully()
        connection.close()
    }

    /// Appends the message unless the conversation needs more than an append; nil: nothing was written.
    func append(_ append: Append) async throws -> AppendResult? {
        try await withCheckedThrowingContinuation { continuation in
            let starts = state.withLock { state in
                state.pending.append(Item(append: append, continuation: continuation))
                defer { state.draining = true }
                return !state.draining
            }
            if starts { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Item] in
                let batch = Array(state.pending.prefix(GroupCommit.maxBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            let appends = batch.map(\.append)
            do {
                let outcomes = try await gate.run { [connection, thread] in
                    try await thread.runIfActive { try connection.run(appends) }
                }
                for (item, outcome) in zip(batch, outcomes) { item.continuation.resume(with: outcome) }
            } catch {
                for item in batch { item.continuation.resume(throwing: error) }
            }
        }
    }
}

/// One SQLite connection used only from the writer's thread.
private final class RawConnection: @unchecked Sendable {
    private let path: String
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    private let encoder = SQLiteDataEncoder()
    private let decoder = SQLiteDataDecoder()

    init(path: String) { self.path = path }

    /// Opened on first use (the store is made before the database file is migrated).
    private func open() throws {
        guard handle == nil else { return }
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        guard sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
            defer { close() }
            throw error()
        }
        for pragma in [
            "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=5000",
        ] {
            try execute(pragma)
        }
    }

    func close() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements = [:]
        sqlite_nio_sqlite3_close_v2(handle)
        handle = nil
    }

    /// The batch in one transaction; a failure undoes it whole (the callers get the error).
    func run(_ appends: [SQLiteChatWriter.Append]) throws -> [Result<AppendResult?, any Error>] {
        try open()
        try execute("BEGIN IMMEDIATE")
        do {
            var outcomes: [Result<AppendResult?, any Error>] = []
            for append in appends { outcomes.append(.success(try self.append(append))) }
            try execute("COMMIT")
            return outcomes
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func append(_ append: SQLiteChatWriter.Append) throws -> AppendResult? {
        let message = append.message
        let id = UUID()
        let flags = message.flags.isEmpty ? nil : StoredJSON.encode(message.flags)
        // A customer writes to the bot or to people; an agent's message comes here only where it changes nothing
        // else (people already have the conversation and no e-mail reply is due).
        let condition =
            message.sender == .agent
            ? "status = 'open' AND reply_to IS NULL" : "status IN ('bot', 'open') AND (?15 IS NULL OR contact_id = ?15)"
        let inserted = try query(
            """
            INSERT INTO messages (id, workspace_id, conversation_id, seq, client_id, client_sender, sender_kind, \
            sender_id, kind, body, private, bot_detail, attachment_id, flags, created_at) \
            SELECT ?1, workspace_id, id, last_seq + 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12 FROM conversations \
            WHERE id = ?13 AND workspace_id = ?14 AND \(condition) ON CONFLICT DO NOTHING RETURNING seq
            """,
            [
                id, message.clientID, message.clientID.map { _ in message.clientSender }, message.sender.rawValue,
                message.senderID?.uuid, message.kind.rawValue, message.body, message.isPrivate, message.botDetail,
                message.attachmentID?.uuid, flags, append.at, append.conversation, append.workspace,
            ] + (message.sender == .agent ? [] : [append.contact]))
        guard let seqData = inserted.first?["seq"], case .integer(let seq) = seqData else { return nil }
        if let document = MessageSearchIndex.document(message, workspace: append.workspace) {
            _ = try query(
                """
                INSERT INTO message_search (terms, message_id, conversation_id, workspace_id) VALUES (?1, ?2, ?3, ?4)
                """, [document, id, append.conversation, append.workspace])
        }
        let preview = MessageRow.preview(of: message)
        guard
            let row = try query(
                """
                UPDATE conversations SET last_seq = ?1, last_message_at = ?2, updated_at = ?2, \
                preview = COALESCE(?3, preview) WHERE id = ?4 AND workspace_id = ?5 RETURNING *
                """, [Int64(seq), append.at, preview, append.conversation, append.workspace]
            ).first
        else { throw RawError(message: "the conversation went away during its append") }
        let conversation = try ConversationRow(from: RowDecoder(row: row, decoder: decoder))
        let stored = MessageRow(message, id: id, conversation: append.conversation, seq: Int64(seq), at: append.at)
        return AppendResult(message: try stored.record(), conversation: try conversation.record(), isNew: true)
    }

    private func execute(_ sql: String) throws {
        guard sqlite_nio_sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw error() }
    }

    private func statement(_ sql: String) throws -> OpaquePointer {
        if let prepared = statements[sql] { return prepared }
        var prepared: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil) == SQLITE_OK,
            let prepared
        else { throw error() }
        statements[sql] = prepared
        return prepared
    }

    private func query(_ sql: String, _ binds: [(any Encodable)?]) throws -> [[String: SQLiteData]] {
        let statement = try statement(sql)
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (index, value) in binds.enumerated() {
            let position = Int32(index + 1)
            let data = try value.map { try encoder.encode($0) } ?? .null
            let status: Int32
            switch data {
            case .integer(let number): status = sqlite_nio_sqlite3_bind_int64(statement, position, Int64(number))
            case .float(let number): status = sqlite_nio_sqlite3_bind_double(statement, position, number)
            case .text(let text):
                status = sqlite_nio_sqlite3_bind_text64(
                    statement, position, text, UInt64(text.utf8.count), transient, UInt8(SQLITE_UTF8))
            case .blob(let buffer):
                status = buffer.withUnsafeReadableBytes {
                    sqlite_nio_sqlite3_bind_blob64(statement, position, $0.baseAddress, UInt64($0.count), transient)
                }
            case .null: status = sqlite_nio_sqlite3_bind_null(statement, position)
            }
            guard status == SQLITE_OK else { throw error() }
        }
        var rows: [[String: SQLiteData]] = []
        while true {
            let step = sqlite_nio_sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw error() }
            var row: [String: SQLiteData] = [:]
            for column in 0..<sqlite_nio_sqlite3_column_count(statement) {
                let name = sqlite_nio_sqlite3_column_name(statement, column).map { String(cString: $0) } ?? ""
                row[name] = value(statement, column)
            }
            rows.append(row)
        }
        return rows
    }

    private func value(_ statement: OpaquePointer, _ column: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT: return .text(sqlite_nio_sqlite3_column_text(statement, column).map { String(cString: $0) } ?? "")
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default: return .null
        }
    }

    private func error() -> RawError {
        RawError(message: sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "unknown error")
    }

    private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

struct RawError: Error, CustomStringConvertible {
    var message: String
    var description: String { "SQLite: \(message)" }
}

/// Decodes a row read by `RawConnection` the way the driver would (its data decoder per column).
private struct RowDecoder: Decoder {
    let row: [String: SQLiteData]
    let decoder: SQLiteDataDecoder
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(row: row, decoder: decoder))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "a row is keyed"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: [], debugDescription: "a row is keyed"))
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: [String: SQLiteData]
        let decoder: SQLiteDataDecoder
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { row.keys.compactMap(Key.init(stringValue:)) }

        func contains(_ key: Key) -> Bool { row[key.stringValue] != nil }

        func decodeNil(forKey key: Key) throws -> Bool {
            guard let value = row[key.stringValue] else { return true }
            if case .null = value { return true }
            return false
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            guard let value = row[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "no column"))
            }
            return try decoder.decode(T.self, from: value)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            throw DecodingError.typeMismatch(type, .init(codingPath: [], debugDescription: "a column is a value"))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "a column is a value"))
        }

        func superDecoder() throws -> any Decoder {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: [], debugDescription: ""))
        }
        func superDecoder(forKey key: Key) throws -> any Decoder { try superDecoder() }
    }
}
