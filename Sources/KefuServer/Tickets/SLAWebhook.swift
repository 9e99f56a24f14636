import Foundation
import KefuCore
import KefuStore
import Logging

/// Posts SLA warnings and breaches to the workspace's webhook, signed like business actions (docs/ACTIONS.md) and
/// through the same outbound guard. Runs after the alert's transaction committed, on the instance that raised it
/// (so once per alert); a failed delivery is tried again twice, then logged.
struct SLAWebhook: Sendable {
    let actions: ActionService
    let logger: Logger
    var retryDelays: [Duration] = [.seconds(5), .seconds(30)]

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

    func deliver(_ workspace: WorkspaceID, _ raised: [RaisedSLAAlert]) async {
        guard !raised.isEmpty else { return }
        let data = actions.store.scoped(to: workspace)
        // Read only: a workspace without action settings has no webhook (no signing secret is made for nothing).
        guard let settings = try? await data.actions.settings(), let url = settings.slaWebhookURL,
            let secret = try? actions.caller.box.open(settings.sealedSigningSecret)
        else { return }
        let now = Date()
        let action = BusinessAction(
            id: BusinessActionID(), workspaceID: workspace, name: Self.actionName, method: .POST, url: url, headers: [],
            inputs: [], mapping: [:], reply: [:], timeoutMilliseconds: BusinessAction.defaultTimeoutMilliseconds,
            enabled: true, createdAt: now, updatedAt: now)
        for alert in raised {
            let body = Self.payload(alert, workspace: workspace)
            var attempt = 0
            while true {
                let result = await actions.caller.call(
                    action, values: [:], signingSecret: secret, allowlist: settings.allowlist, body: body)
                if let status = result.statusCode, (200..<300).contains(status) { break }
                guard attempt < retryDelays.count, result.error != "url_not_allowed" else {
                    logger.warning(
                        "SLA webhook not delivered",
                        metadata: [
                            "workspace": "\(workspace)", "ticket": "\(alert.ticket.number)", "event": "\(alert.alert.rawValue)",
                            "error": "\(result.error ?? "status \(result.statusCode ?? 0)")",
                        ])
                    break
                }
                try? await Task.sleep(for: retryDelays[attempt])
                attempt += 1
            }
        }
    }
}
