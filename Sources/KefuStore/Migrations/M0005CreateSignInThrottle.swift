import FluentKit
import SQLKit

struct M0005CreateSignInThrottle: SchemaMigration {
    let version = 5
    let name = "create sign-in throttle counters"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        // Times as seconds since 1970: one upsert expression does the window arithmetic on both dialects.
        try await sql.raw(
            """
            CREATE TABLE sign_in_throttle (
                key TEXT PRIMARY KEY,
                window_start DOUBLE PRECISION NOT NULL,
                attempts INTEGER NOT NULL,
                locked_until DOUBLE PRECISION NOT NULL DEFAULT 0
            )
            """
        ).run()
    }
}
