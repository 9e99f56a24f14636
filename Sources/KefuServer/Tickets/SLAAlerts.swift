import Foundation
import KefuCore
import KefuStore

/// Where raised SLA alerts go once their transaction committed: every agent console of the workspace, live, on any
/// instance (the event bus), and the workspace's outgoing webhook when it has one.
struct SLAAlerts: Sendable {
    let events: any EventBus
    var webhook: SLAWebhook?

    func raise(_ workspace: WorkspaceID, _ raised: [RaisedSLAAlert]) {
        if let webhook, !raised.isEmpty { Task { await webhook.deliver(workspace, raised) } }
        for alert in raised {
            events.publish(
                .ticketAlert(
                    workspace,
                    TicketAlertNotice(
                        ticketID: alert.ticket.id, number: alert.ticket.number, metric: alert.metric, alert: alert.alert,
                        dueAt: alert.dueAt)))
        }
    }
}
