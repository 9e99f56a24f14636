import Foundation
import KefuCore

/// The requester's link to their ticket: `<ticket id>.<expiry>.<signature>`, signed with the server's key, so a ticket
/// cannot be found by its number or guessed; a forged, altered or expired link is simply not found.
struct TicketLinks: Sendable {
    let secret: SecretKey
    /// How long a link works; a new one comes with every public reply.
    var lifetime: TimeInterval = 180 * 24 * 3600

    func token(_ ticket: TicketID, workspace: WorkspaceID, now: Date) -> String {
        let id = ticket.uuid.uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let expiry = Int(now.addingTimeInterval(lifetime).timeIntervalSince1970)
        return "\(id).\(expiry).\(signature(id, expiry, workspace))"
    }

    func ticket(_ token: String, workspace: WorkspaceID, now: Date) -> TicketID? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[0].count == 32, let expiry = Int(parts[1]),
            Secrets.equal(parts[2], signature(parts[0], expiry, workspace)), Double(expiry) > now.timeIntervalSince1970
        else { return nil }
        let hex = Array(parts[0])
        let uuid = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
        return TicketID(uuid)
    }

    private func signature(_ id: String, _ expiry: Int, _ workspace: WorkspaceID) -> String {
        String(secret.sign("ticket-status:\(workspace):\(id):\(expiry)").prefix(32))
    }
}
