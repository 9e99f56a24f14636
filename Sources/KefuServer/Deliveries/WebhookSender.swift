import Foundation
import KefuCore
import KefuStore

/// Posts webhook deliveries (SLA warnings and breaches today) signed like business actions (docs/ACTIONS.md) and
/// through the same outbound guard, with `X-Kefu-Delivery` (stable across attempts: receivers drop duplicates by it)
/// and `X-Kefu-Event`. A 2xx is delivered; 410 Gone, or a target the guard refuses, ends it; anything else is tried
/// again later.
struct WebhookSender: DeliverySender {
    let channel = Delivery.Channel.webhook
    let store: Store
    let caller: ActionCaller

    func send(_ delivery: Delivery) async -> DeliveryOutcome {
        let settings: ActionSettings
        do {
            guard let found = try await store.scoped(to: delivery.workspaceID).actions.settings() else {
                return .dead("the workspace has no webhook settings")
            }
            settings = found
        } catch {
            return .retry("cannot read the webhook settings: \(error)")
        }
        guard let secret = try? caller.box.open(settings.sealedSigningSecret) else {
            return .dead("the signing secret cannot be opened")
        }
        let now = Date()
        let action = BusinessAction(
            id: BusinessActionID(), workspaceID: delivery.workspaceID,
            name: delivery.event.hasPrefix("sla.") ? SLAWebhook.actionName : delivery.event, method: .POST,
            url: delivery.target,
            headers: [
                .init(name: "X-Kefu-Delivery", value: delivery.id.description, secret: false),
                .init(name: "X-Kefu-Event", value: delivery.event, secret: false),
            ],
            inputs: [], mapping: [:], reply: [:], timeoutMilliseconds: BusinessAction.defaultTimeoutMilliseconds,
            enabled: true, createdAt: now, updatedAt: now)
        let result = await caller.call(
            action, values: [:], signingSecret: secret, allowlist: settings.allowlist, body: Data(delivery.payload.utf8))
        if let status = result.statusCode {
            if (200..<300).contains(status) { return .delivered }
            if status == 410 { return .dead("HTTP 410: the receiver is gone") }
            return .retry("HTTP \(status)")
        }
        let error = result.error ?? "no answer"
        return ["url_not_allowed", "invalid_value", "insecure_redirect"].contains(error) ? .dead(error) : .retry(error)
    }
}
