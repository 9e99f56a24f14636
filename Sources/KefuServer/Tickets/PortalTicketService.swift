import Foundation
import KefuCore
import KefuStore

/// Tickets from the public help center: the "still need help?" form (suggestions first; an article opened from them
/// is a deflection, counted), the requester's status page behind a signed link, and their replies there. Nothing
/// here needs a sign-in; everything is found through the workspace's slug and the signed link.
struct PortalTicketService: Sendable {
    let store: Store
    let tickets: TicketService
    let links: TicketLinks
    let limiter: AddressFrameLimiter

    func workspace(slug: String) async throws -> Workspace {
        guard let workspace = try await store.unscoped.workspaces.workspace(slug: slug) else {
            throw DomainError.notFound(.workspace)
        }
        return workspace
    }

    /// Opens a ticket for the visitor; the same idempotency key again (a double submit, a retry) gives the same one.
    func open(
        slug: String, subject: String, body: String, email: String, name: String?, idempotencyKey: String?, address: String
    ) async throws -> (ticket: StoredTicket, token: String, created: Bool) {
        guard limiter.admit(address) else { throw DomainError.rateLimited(retryAfterSeconds: 60) }
        let workspace = try await workspace(slug: slug)
        let new = NewTicket(
            subject: subject, body: body, requesterEmail: email, requesterName: name?.isEmpty == true ? nil : name,
            source: .portal)
        let (stored, created) = try await tickets.create(workspace, actor: nil, new, idempotencyKey: idempotencyKey)
        return (stored, links.token(stored.ticket.id, workspace: workspace.id, now: tickets.clock.now()), created)
    }

    /// The ticket and its public history (the request and public replies; never notes) for a valid link.
    func status(slug: String, token: String) async throws -> (Workspace, StoredTicket, [TicketEvent]) {
        let workspace = try await workspace(slug: slug)
        guard let id = links.ticket(token, workspace: workspace.id, now: tickets.clock.now()) else {
            throw DomainError.notFound(.ticket)
        }
        let stored = try await tickets.ticket(workspace.id, id)
        return (workspace, stored, try await tickets.events(workspace.id, id, includeNotes: false))
    }

    func reply(slug: String, token: String, body: String, address: String) async throws -> TicketEvent {
        guard limiter.admit(address) else { throw DomainError.rateLimited(retryAfterSeconds: 60) }
        let (workspace, stored, _) = try await status(slug: slug, token: token)
        return try await tickets.requesterReply(workspace.id, stored.ticket.id, body: body)
    }

    /// The visitor opened a suggested article from the ticket form.
    func deflected(slug: String, article: ArticleID, address: String) async throws {
        guard limiter.admit(address) else { throw DomainError.rateLimited(retryAfterSeconds: 60) }
        let workspace = try await workspace(slug: slug)
        let now = tickets.clock.now()
        try await store.scoped(to: workspace.id).transaction { tx in
            try await tx.tickets.recordDeflection(article: article, at: now)
        }
    }
}
