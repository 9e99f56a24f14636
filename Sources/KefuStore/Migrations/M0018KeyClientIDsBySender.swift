import FluentKit
import KefuCore
import SQLKit

/// A message's client id is unique per conversation **and sender**: one sender can no longer take (or read back)
/// another's message by sending the same id. The id moves to `client_id` beside `client_sender` (the agent's user id,
/// or the zero id for the conversation's customer) under one unique index; the old per-conversation column is dropped
/// on PostgreSQL and left empty on SQLite, which cannot drop a column with a unique constraint without rebuilding
/// the table.
struct M0018KeyClientIDsBySender: SchemaMigration {
    let version = 18
    let name = "a message's client id is unique per conversation and sender"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        let uuid = sql.dialect.name == "sqlite" ? "TEXT" : "UUID"
        try await sql.raw("ALTER TABLE messages ADD COLUMN client_id TEXT").run()
        try await sql.raw("ALTER TABLE messages ADD COLUMN client_sender \(unsafeRaw: uuid)").run()
        try await sql.raw(
            """
            UPDATE messages SET client_id = client_msg_id, \
            client_sender = CASE WHEN sender_kind = 'agent' THEN sender_id ELSE \(bind: NewMessage.customerClientSender) END, \
            client_msg_id = NULL WHERE client_msg_id IS NOT NULL
            """
        ).run()
        try await sql.raw("CREATE UNIQUE INDEX messages_client_id ON messages (conversation_id, client_sender, client_id)").run()
        if sql.dialect.name != "sqlite" {
            try await sql.raw("ALTER TABLE messages DROP COLUMN client_msg_id").run()
        }
    }
}
