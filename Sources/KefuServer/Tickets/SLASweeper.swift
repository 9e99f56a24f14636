import Foundation
import KefuCore
import KefuStore
import Logging
import ServiceLifecycle

/// Raises SLA warnings and breaches when their instant passes. Event-driven at heart: every change to a ticket
/// stores its clocks' next due instant (`sla_next_check_at`, indexed), so a sweep reads only the tickets due now,
/// whatever the number of open tickets, and runs every `interval` (and at once when the test clock moves). Several
/// instances may sweep together: each ticket is re-read under its lock and an alert, once raised, is marked.
struct SLASweeper: Service {
    let store: Store
    let tickets: TicketService
    let interval: Duration
    let logger: Logger

    static let batch = 200

    /// One sweep; returns the number of alerts raised.
    @discardableResult
    func sweep() async throws -> Int {
        let now = tickets.clock.now()
        var raisedCount = 0
        for _ in 0..<1000 {
            let due = try await store.unscoped.slaDue.due(at: now, limit: Self.batch)
            for (workspace, ids) in Dictionary(grouping: due, by: \.0) {
                raisedCount += try await check(workspace, ids.map(\.1), at: now)
            }
            if due.count < Self.batch { break }
        }
        return raisedCount
    }

    private func check(_ workspace: WorkspaceID, _ ids: [TicketID], at now: Date) async throws -> Int {
        let raised = try await store.scoped(to: workspace).transaction { [tickets] data in
            var raised: [RaisedSLAAlert] = []
            for var stored in try await data.tickets.lock(ids: ids) {
                let before = stored.timers
                let result = TicketSLA.check(stored.timers, at: now)
                stored.timers = result.timers
                let alerts = result.alerts.map { metric, alert in
                    RaisedSLAAlert(
                        ticket: stored.ticket, metric: metric, alert: alert,
                        dueAt: before.first { $0.metric == metric }?.dueAt, at: now)
                }
                try await tickets.record(alerts, on: stored, data: data)
                // Also moves `sla_next_check_at` on, so the ticket leaves the due list.
                try await data.tickets.saveClocks(stored)
                raised += alerts
            }
            return raised
        }
        tickets.alerts.raise(workspace, raised)
        return raised.count
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let raised = try await sweep()
                    if raised > 0 { logger.info("SLA alerts raised", metadata: ["count": "\(raised)"]) }
                } catch {
                    logger.warning("SLA sweep failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
