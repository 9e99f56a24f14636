import Foundation
import KefuCore
import SQLKit

/// The bound workspace's own e-mail server: at most one row; none means the server's.
public protocol EmailSettingsRepository: Sendable {
    func settings() async throws -> StoredEmailSettings?
    func save(sealedSMTPURL: String, from: String, at: Date) async throws
    func clear() async throws
}

/// What is stored: the SMTP URL sealed (it holds the password) and the sender as written.
public struct StoredEmailSettings: Sendable, Equatable {
    public var sealedSMTPURL: String
    public var from: String
    public var updatedAt: Date
}

struct SQLEmailSettingsRepository: EmailSettingsRepository {
    let scope: WorkspaceScope

    private var sql: any SQLDatabase { get throws { try scope.sql } }

    private struct Row: Decodable {
        var sealed_smtp_url: String
        var mail_from: String
        var updated_at: Date
    }

    func settings() async throws -> StoredEmailSettings? {
        try await sql.raw(
            "SELECT sealed_smtp_url, mail_from, updated_at FROM email_settings WHERE workspace_id = \(bind: scope.workspaceID.uuid)"
        ).first(decoding: Row.self).map {
            StoredEmailSettings(sealedSMTPURL: $0.sealed_smtp_url, from: $0.mail_from, updatedAt: $0.updated_at)
        }
    }

    func save(sealedSMTPURL: String, from: String, at now: Date) async throws {
        let workspace = scope.workspaceID.uuid
        let updated = try await sql.raw(
            """
            UPDATE email_settings SET sealed_smtp_url = \(bind: sealedSMTPURL), mail_from = \(bind: from), \
            updated_at = \(bind: now) WHERE workspace_id = \(bind: workspace) RETURNING workspace_id
            """
        ).first()
        guard updated == nil else { return }
        try await sql.raw(
            """
            INSERT INTO email_settings (id, workspace_id, sealed_smtp_url, mail_from, updated_at) \
            VALUES (\(bind: UUID()), \(bind: workspace), \(bind: sealedSMTPURL), \(bind: from), \(bind: now))
            """
        ).run()
    }

    func clear() async throws {
        try await sql.raw("DELETE FROM email_settings WHERE workspace_id = \(bind: scope.workspaceID.uuid)").run()
    }
}
