import Foundation
import KefuCore
import KefuStore

/// Where raised SLA alerts go once their transaction committed: every agent console of the workspace, live, on any
/// instance (the event bus); their webhook deliveries were queued in that transaction and the worker is woken.
struct SLAAlerts: Sendable {
    let events: any EventBus
    let deliveries: JobWakeUp
    /// Deliveries keep real time whatever the business clock says.
    let clock: WallClock

    func raise(_ workspace: WorkspaceID, _ raised: [RaisedSLAAlert]) {
        guard !raised.isEmpty else { return }
        Task { await deliveries.signal() }
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
