import Foundation
import KefuCore
import KefuStore

/// What admins see (routes require `deliveries.manage`) of the delivery queue and may do with it: list and read deliveries, queue a dead one again,
/// send a test e-mail. Every change wakes this instance's delivery worker.
struct DeliveryService: Sendable {
    let store: Store
    let mail: OutgoingMail
    let wakeUp: JobWakeUp
    /// Seals a workspace's SMTP URL (it holds the password), as action secrets are sealed.
    let box: SecretBox
    /// The server's own e-mail server (`KEFU_SMTP_URL`, `KEFU_MAIL_FROM`).
    let settings: MailSettings

    static let pageSize = 50

    func list(
        _ actor: Identity, status: Delivery.Status?, channel: Delivery.Channel?, conversation: ConversationID? = nil,
        before: DeliveryID?, limit: Int = DeliveryService.pageSize
    ) async throws -> [Delivery] {
        return try await store.scoped(to: actor.workspace.id).deliveries.list(
            status: status, channel: channel, conversation: conversation, before: before, limit: min(max(limit, 1), 100))
    }

    func delivery(_ actor: Identity, _ id: DeliveryID) async throws -> Delivery {
        return try await store.scoped(to: actor.workspace.id).deliveries.delivery(id)
    }

    func retry(_ actor: Identity, _ id: DeliveryID) async throws -> Delivery {
        let delivery = try await store.scoped(to: actor.workspace.id).deliveries.retry(id, at: mail.clock.now())
        await wakeUp.signal()
        return delivery
    }

    /// Queues a test e-mail to `address` (the caller's own when nil).
    func sendTest(_ actor: Identity, to address: String?, locale: UILocale) async throws -> Delivery {
        var errors = ValidationErrors()
        let target = (address?.trimmingCharacters(in: .whitespaces)).flatMap { $0.isEmpty ? nil : $0 } ?? actor.user.email
        guard EmailAddress(target) != nil else {
            errors.add("to", .email)
            throw DomainError.invalid(errors)
        }
        let delivery = try await store.scoped(to: actor.workspace.id).transaction { [mail, workspace = actor.workspace] data in
            try await mail.test(data, to: target, workspace: workspace, locale: locale)
        }
        await wakeUp.signal()
        return delivery
    }
}
