import Foundation
import KefuCore
import Synchronization

/// One chat event as every socket receives it, with its JSON frames encoded at most once per audience (agents,
/// customers) however many sockets send them: a message reaches the customer and every agent of the workspace.
final class SharedFrames: Sendable {
    let event: ChatEvent
    private let cache = Mutex<[String: String]>([:])

    init(_ event: ChatEvent) {
        self.event = event
    }

    /// The conversation as the event left it, when the event carries it.
    var conversation: Conversation? {
        switch event {
        case .message(_, let conversation), .conversation(let conversation): conversation
        case .typing, .read, .queue: nil
        }
    }

    private func cached(_ key: String, _ make: () -> String) -> String {
        if let json = cache.withLock({ $0[key] }) { return json }
        let json = make()
        cache.withLock { $0[key] = json }
        return json
    }

    func message(_ message: ChatMessage, forAgent: Bool) -> String {
        cached(forAgent ? "message.agent" : "message.customer") {
            OutboundFrame.message(message, forAgent: forAgent).json
        }
    }

    func state(_ conversation: Conversation, forAgent: Bool) -> String {
        cached(forAgent ? "state.agent" : "state.customer") {
            OutboundFrame.state(conversation, forAgent: forAgent).json
        }
    }
}
