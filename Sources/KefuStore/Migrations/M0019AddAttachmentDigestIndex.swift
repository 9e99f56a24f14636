import FluentKit
import SQLKit

/// A file sent again into the same conversation is found by its digest and stored once.
struct M0019AddAttachmentDigestIndex: SchemaMigration {
    let version = 19
    let name = "attachments found by conversation and digest (an identical file is stored once)"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        try await sql.raw("CREATE INDEX attachments_by_digest ON attachments (conversation_id, sha256)").run()
    }
}
