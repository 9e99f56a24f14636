import FluentKit
import Foundation
import KefuCore
import SQLKit

/// Sign-in attempts per key (an e-mail or an IP), counted atomically in the database so that parallel requests and
/// several instances cannot outrun the limit: an attempt is charged before its password is checked and refunded
/// only when it succeeds.
public protocol SignInCounters: Sendable {
    /// Counts one more attempt in the key's window (a new window starts when the old one is older than `window`);
    /// returns the attempts in the window, this one included, and the end of a lock if one is in force.
    func charge(_ key: String, now: Date, window: TimeInterval) async throws -> (attempts: Int, lockedUntil: Date?)
    func lock(_ key: String, until: Date) async throws
    /// Takes back the charge of an attempt that succeeded.
    func refund(_ key: String) async throws
    /// Deletes counters whose window and lock are both over.
    func deleteStale(now: Date, window: TimeInterval) async throws
}

struct SQLSignInCounters: SignInCounters {
    let db: any Database

    private var sql: any SQLDatabase {
        get throws {
            guard let sql = db as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
            return sql
        }
    }

    func charge(_ key: String, now: Date, window: TimeInterval) async throws -> (attempts: Int, lockedUntil: Date?) {
        let t = now.timeIntervalSince1970
        let row = try await sql.raw(
            """
            INSERT INTO sign_in_throttle (key, window_start, attempts, locked_until) VALUES (\(bind: key), \(bind: t), 1, 0)
            ON CONFLICT (key) DO UPDATE SET
              attempts = CASE WHEN sign_in_throttle.window_start < \(bind: t - window) THEN 1
                              ELSE sign_in_throttle.attempts + 1 END,
              window_start = CASE WHEN sign_in_throttle.window_start < \(bind: t - window) THEN \(bind: t)
                                  ELSE sign_in_throttle.window_start END
            RETURNING attempts, locked_until
            """
        ).first()
        let attempts = try row?.decode(column: "attempts", as: Int.self) ?? 1
        let lockedUntil = try row?.decode(column: "locked_until", as: Double.self) ?? 0
        return (attempts, lockedUntil > t ? Date(timeIntervalSince1970: lockedUntil) : nil)
    }

    func lock(_ key: String, until: Date) async throws {
        try await sql.raw(
            """
            UPDATE sign_in_throttle SET locked_until = \(bind: until.timeIntervalSince1970)
            WHERE key = \(bind: key) AND locked_until < \(bind: until.timeIntervalSince1970)
            """
        ).run()
    }

    func refund(_ key: String) async throws {
        try await sql.raw("UPDATE sign_in_throttle SET attempts = attempts - 1 WHERE key = \(bind: key) AND attempts > 0").run()
    }

    func deleteStale(now: Date, window: TimeInterval) async throws {
        let t = now.timeIntervalSince1970
        try await sql.raw(
            "DELETE FROM sign_in_throttle WHERE window_start < \(bind: t - window) AND locked_until < \(bind: t)"
        ).run()
    }
}
