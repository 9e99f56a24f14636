import Foundation
import KefuCore
import KefuStore

/// The server's e-mail settings: where to send (`KEFU_SMTP_URL`) and who mails are from (`KEFU_MAIL_FROM`).
struct MailSettings: Sendable {
    var server: SMTPServer?
    var from: MailAddress?
}

/// Sends e-mail deliveries over SMTP. `Message-ID` is made from the delivery's id, so a mail sent again after a
/// crash is the same mail to the receiver; mails of one thread (a ticket, a conversation) name the earlier ones in
/// `In-Reply-To` and `References` so mail clients group them.
struct MailSender: DeliverySender {
    let channel = Delivery.Channel.email
    let store: Store
    /// The server's own e-mail server; a workspace's (Settings → E-mail) comes first.
    let settings: MailSettings
    let box: SecretBox
    var timeout: Duration = .seconds(60)

    static let threadDepth = 20

    /// The workspace's e-mail server and sender, else the server's.
    static func resolve(_ workspace: WorkspaceData, default settings: MailSettings, box: SecretBox) async throws
        -> (SMTPServer, MailAddress)?
    {
        if let own = try await workspace.emailSettings.settings(), let from = MailAddress.parse(own.from) {
            return (try SMTPServer.parse(try box.open(own.sealedSMTPURL)), from)
        }
        guard let server = settings.server, let from = settings.from else { return nil }
        return (server, from)
    }

    func send(_ delivery: Delivery) async -> DeliveryOutcome {
        let resolved: (SMTPServer, MailAddress)?
        do {
            resolved = try await Self.resolve(store.scoped(to: delivery.workspaceID), default: settings, box: box)
        } catch {
            return .retry("the workspace's e-mail settings cannot be used: \(error)")
        }
        guard let (server, from) = resolved else {
            return .retry("no e-mail server is set (Settings → E-mail, or KEFU_SMTP_URL and KEFU_MAIL_FROM)")
        }
        guard let content = try? JSONDecoder().decode(MailContent.self, from: Data(delivery.payload.utf8)) else {
            return .dead("the stored mail cannot be read")
        }
        guard SMTPClient.isSafeAddress(delivery.target) else { return .dead("not a plain e-mail address: \(delivery.target)") }
        let earlier: [DeliveryID]
        do {
            earlier = try await store.scoped(to: delivery.workspaceID).deliveries.thread(of: delivery, limit: Self.threadDepth)
        } catch {
            return .retry("cannot read the mail's thread: \(error)")
        }
        let messageID = { (id: DeliveryID) in "kefu.\(id)@\(from.domain)" }
        var message = MailMessage(
            from: MailAddress(name: content.fromName ?? from.name, address: from.address),
            to: MailAddress(name: nil, address: delivery.target), subject: delivery.subject, content: content,
            messageID: messageID(delivery.id), date: delivery.createdAt)
        message.inReplyTo = earlier.last.map(messageID)
        message.references = earlier.map(messageID)
        message.extra = [("X-Kefu-Delivery", delivery.id.description)]
        let client = SMTPClient(server: server, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
        do {
            try await client.send(
                SMTPEnvelope(from: from.address, recipients: [delivery.target], message: message.rendered()))
            return .delivered
        } catch SMTPError.permanent(let text) {
            return .dead(text)
        } catch {
            return .retry("\(error)")
        }
    }
}
