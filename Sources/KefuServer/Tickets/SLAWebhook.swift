import Foundation
import KefuCore
import KefuStore

/// SLA warnings and breaches for the workspace's webhook: queued as deliveries in the transaction that raises them
/// (so a rolled-back change posts nothing and a crash loses nothing), posted by the delivery worker.
enum SLAWebhook {
    static let actionName = "sla_alert"

    /// The event as posted: `event` is `sla.warning` or `sla.breach`.
    static func payload(_ alert: RaisedSLAAlert, workspace: WorkspaceID) -> Data {
        let ticket = alert.ticket
        var object: [String: Any] = [
            "event": "sla." + alert.alert.rawValue, "workspace_id": workspace.description, "metric": alert.metric.rawValue,
            "at": RFC3339.string(alert.at),
            "ticket": [
                "id": ticket.id.description, "number": ticket.number, "subject": ticket.subject,
                "priority": ticket.priority.rawValue, "status": ticket.status.rawValue,
            ] as [String: Any],
        ]
        if let due = alert.dueAt { object["due_at"] = RFC3339.string(due) }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// Queues one delivery per alert when the workspace has a webhook; nothing otherwise.
    static func enqueue(_ raised: [RaisedSLAAlert], data: WorkspaceData, at now: Date) async throws {
        guard !raised.isEmpty, let url = try await data.actions.settings()?.slaWebhookURL else { return }
        for alert in raised {
            let body = String(decoding: payload(alert, workspace: data.workspaceID), as: UTF8.self)
            _ = try await data.deliveries.enqueue(
                NewDelivery(
                    channel: .webhook, event: "sla." + alert.alert.rawValue, target: url, body: body, payload: body,
                    ticketID: alert.ticket.id),
                at: now)
        }
    }
}
