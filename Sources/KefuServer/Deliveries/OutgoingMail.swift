import Foundation
import KefuCore
import KefuStore

/// The e-mails Kefu writes to customers, queued as deliveries inside the caller's transaction: an agent's reply to a
/// message left for later, a public reply on a ticket (with the ticket's status link), a test mail. Each is one
/// template in the customer's language, rendered as plain text and as HTML.
struct OutgoingMail: Sendable {
    let catalogues: Catalogues
    let links: TicketLinks
    /// Where links in mails point: the configured public URL, or the address the server listens on.
    let baseURL: String
    /// Deliveries keep real time whatever the business clock (`testing.clock`) says.
    let clock: WallClock

    /// An agent's public reply to a conversation whose customer left an e-mail address.
    func conversationReply(
        _ data: WorkspaceData, _ message: ChatMessage, conversation: Conversation, to address: String, workspace: Workspace,
        agent: String
    ) async throws {
        guard message.sender == .agent, message.kind == .text, !message.isPrivate else { return }
        let locale = conversation.locale
        let values = ["workspace": workspace.name, "agent": agent]
        let intro = catalogues.text("mail", "conversation_reply_intro", locale, values)
        let content = compose(locale, workspace: workspace.name, paragraphs: [intro, message.body], link: nil)
        _ = try await data.deliveries.enqueue(
            NewDelivery(
                channel: .email, event: "conversation.reply", target: address,
                subject: catalogues.text("mail", "conversation_reply_subject", locale, values), body: message.body,
                payload: try Self.encode(content), threadKey: "conversation:\(conversation.id)",
                conversationID: conversation.id, messageID: message.id),
            at: clock.now())
    }

    /// A public reply on a ticket, to its requester; the subject carries the ticket's number.
    func ticketReply(
        _ data: WorkspaceData, _ ticket: Ticket, body: String, to address: String, workspace: Workspace, agent: String,
        locale: UILocale
    ) async throws {
        let values = ["workspace": workspace.name, "agent": agent, "number": String(ticket.number)]
        let intro = catalogues.text("mail", "ticket_reply_intro", locale, values)
        let link =
            baseURL
            + WebPath.portalTicketStatus(workspace.slug, links.token(ticket.id, workspace: workspace.id, now: clock.now()))
        let content = compose(locale, workspace: workspace.name, paragraphs: [intro, body], link: link)
        _ = try await data.deliveries.enqueue(
            NewDelivery(
                channel: .email, event: "ticket.reply", target: address,
                subject: "[\(workspace.name) #\(ticket.number)] \(ticket.subject)", body: body,
                payload: try Self.encode(content), threadKey: "ticket:\(ticket.id)", ticketID: ticket.id),
            at: clock.now())
    }

    /// A mail that proves the e-mail settings work.
    func test(_ data: WorkspaceData, to address: String, workspace: Workspace, locale: UILocale) async throws -> Delivery {
        let values = ["workspace": workspace.name]
        let text = catalogues.text("mail", "test_body", locale, values)
        let content = compose(locale, workspace: workspace.name, paragraphs: [text], link: nil)
        return try await data.deliveries.enqueue(
            NewDelivery(
                channel: .email, event: "test", target: address, subject: catalogues.text("mail", "test_subject", locale, values),
                body: text, payload: try Self.encode(content), maxAttempts: 3),
            at: clock.now())
    }

    /// Plain text and HTML of the same paragraphs, the status link and the footer.
    func compose(_ locale: UILocale, workspace: String, paragraphs: [String], link: String?) -> MailContent {
        let follow = link.map { catalogues.text("mail", "ticket_follow", locale, ["link": $0]) }
        let footer = catalogues.text("mail", "footer", locale, ["workspace": workspace])
        let text = (paragraphs + [follow].compactMap { $0 } + ["--", footer]).joined(separator: "\n\n") + "\n"
        var html = "<!doctype html><html lang=\"\(locale.rawValue)\"><body style=\"font-family:sans-serif;line-height:1.5\">"
        for paragraph in paragraphs {
            html += "<p>" + HTMLEscaping.escape(paragraph).replacingOccurrences(of: "\n", with: "<br>") + "</p>"
        }
        if let link {
            let label = catalogues.text("mail", "ticket_follow_label", locale)
            html += "<p><a href=\"\(HTMLEscaping.escape(link))\">\(HTMLEscaping.escape(label))</a></p>"
        }
        html += "<hr><p style=\"color:#666;font-size:12px\">" + HTMLEscaping.escape(footer) + "</p></body></html>"
        return MailContent(text: text, html: html, fromName: workspace)
    }

    static func encode(_ content: MailContent) throws -> String {
        String(decoding: try JSONEncoder().encode(content), as: UTF8.self)
    }
}
