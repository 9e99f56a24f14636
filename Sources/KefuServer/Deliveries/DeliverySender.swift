import Foundation
import KefuCore

/// What one attempt at a delivery came to.
enum DeliveryOutcome: Sendable, Equatable {
    case delivered
    /// Worth another try later (unreachable, time-out, 4xx from SMTP, 5xx from a webhook).
    case retry(String)
    /// Refused for good (5xx from SMTP, 410 from a webhook, a target the guard refuses).
    case dead(String)
}

/// Sends one channel's deliveries.
protocol DeliverySender: Sendable {
    var channel: Delivery.Channel { get }
    func send(_ delivery: Delivery) async -> DeliveryOutcome
}
