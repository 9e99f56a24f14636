import Foundation
import KefuCore
import KefuStore

extension DeliveryService {
    /// A workspace's e-mail settings as pages and the API show them: never the password.
    struct EmailSettingsView: Sendable {
        /// The workspace's own server, its password shown as `***`; nil when it uses the server's.
        var smtpURL: String?
        var from: String?
        /// The server's own e-mail server, as a fallback (redacted); nil when the server has none.
        var serverDefault: String?
        var serverFrom: String?
        var updatedAt: Date?
    }

    func emailSettings(_ actor: Identity) async throws -> EmailSettingsView {
        let stored = try await store.scoped(to: actor.workspace.id).emailSettings.settings()
        return EmailSettingsView(
            smtpURL: try stored.map { try SMTPServer.parse(try box.open($0.sealedSMTPURL)).redacted },
            from: stored?.from, serverDefault: settings.server?.redacted, serverFrom: settings.from?.header,
            updatedAt: stored?.updatedAt)
    }

    /// Sets the workspace's own e-mail server. A URL whose password is `***` keeps the stored password (the page
    /// shows it that way). Bad values are refused and change nothing.
    func setEmailSettings(_ actor: Identity, smtpURL: String, from: String, ip: String?) async throws -> EmailSettingsView {
        let data = store.scoped(to: actor.workspace.id)
        var errors = ValidationErrors()
        var written = smtpURL.trimmingCharacters(in: .whitespaces)
        if written.contains(":***@"), let stored = try await data.emailSettings.settings(),
            let password = try SMTPServer.parse(try box.open(stored.sealedSMTPURL)).password
        {
            let encoded = password.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed) ?? password
            written = written.replacingOccurrences(of: ":***@", with: ":" + encoded + "@")
        }
        var server: SMTPServer?
        if written.count > 2000 {
            errors.add("smtp_url", .length(min: 8, max: 2000))
        } else {
            server = try? SMTPServer.parse(written)
            if server == nil { errors.add("smtp_url", .smtpURL) }
        }
        let sender = from.trimmingCharacters(in: .whitespaces)
        if sender.count > 320 || MailAddress.parse(sender) == nil { errors.add("from", .email) }
        try errors.throwIfAny()
        let sealed = try box.seal(written)
        let now = mail.clock.now()
        let redacted = server?.redacted ?? ""
        try await data.transaction { [audit = AuditTrail(clock: mail.clock)] tx in
            try await tx.emailSettings.save(sealedSMTPURL: sealed, from: sender, at: now)
            try await tx.audit.append(
                audit.event(
                    .settingsChanged, actor: actor.user, target: "email_settings", ip: ip,
                    after: AuditTrail.json(["smtp_url": redacted, "from": sender])))
        }
        await wakeUp.signal()
        return try await emailSettings(actor)
    }

    /// Back to the server's e-mail server.
    func clearEmailSettings(_ actor: Identity, ip: String?) async throws {
        try await store.scoped(to: actor.workspace.id).transaction { [audit = AuditTrail(clock: mail.clock)] tx in
            try await tx.emailSettings.clear()
            try await tx.audit.append(
                audit.event(.settingsChanged, actor: actor.user, target: "email_settings", ip: ip, after: "{}"))
        }
    }
}
