import Foundation
import KefuBot
import KefuCore
import Synchronization

/// Runs a flow's action steps as the workspace's business actions, for one bot turn in one conversation: the call's
/// outcome is what the flow branches on, its mapped values (and the action's reply in the customer's language, as
/// `reply`) join the slots, and each call becomes a line only agents see. Ticket steps file a ticket for the chat.
final class FlowActionRunner: FlowActions, Sendable {
    let actions: ActionService
    let tickets: ConversationTickets?
    let owner: Workspace
    let conversation: ConversationID
    let locale: UILocale
    private let made = Mutex<[NewMessage]>([])

    var workspace: WorkspaceID { owner.id }

    init(
        actions: ActionService, tickets: ConversationTickets?, workspace: Workspace, conversation: ConversationID,
        locale: UILocale
    ) {
        self.actions = actions
        self.tickets = tickets
        self.owner = workspace
        self.conversation = conversation
        self.locale = locale
    }

    /// A flow's ticket step: the ticket is filed for this chat (one per chat while it is open) and the customer gets
    /// a line with its number and status link.
    func createTicket(subject: String, priority: String?, slots: [String: String]) async throws -> ActionResult {
        guard let tickets else { return ActionResult(outcome: "unavailable") }
        do {
            let stored = try await tickets.file(
                workspace: owner, conversation: conversation, subject: subject,
                priority: priority.flatMap { TicketPriority(rawValue: $0) } ?? .normal, slots: slots)
            let line = tickets.line(stored, workspace: owner)
            made.withLock { $0.append(line) }
            return ActionResult(outcome: "created", values: ["ticket_number": String(stored.ticket.number)])
        } catch {
            return ActionResult(outcome: "failed")
        }
    }

    func call(_ name: String, slots: [String: String]) async throws -> ActionResult {
        guard let action = try await actions.enabledAction(named: name, in: workspace) else {
            record(name: name, outcome: .unavailable, detail: "not_defined", values: [:])
            return ActionResult(outcome: ActionOutcome.unavailable.rawValue)
        }
        let (result, call) = try await actions.run(workspace, action, values: slots, conversation: conversation)
        var values = result.values
        let template = action.reply[locale.rawValue] ?? action.reply["en"] ?? action.reply["zh-CN"]
        if let template, result.outcome == .found { values["reply"] = ActionTemplate.text(template, values: values) }
        let detail = [call.statusCode.map(String.init), call.error, "\(call.durationMilliseconds) ms"].compactMap { $0 }
        record(name: name, outcome: result.outcome, detail: detail.joined(separator: ", "), values: result.values)
        return ActionResult(outcome: result.outcome.rawValue, values: values)
    }

    /// The agents-only lines of the calls made so far, in order.
    var lines: [NewMessage] { made.withLock { $0 } }

    private func record(name: String, outcome: ActionOutcome, detail: String, values: [String: String]) {
        let shown = values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " · ")
        let body = ConversationBot.encode([
            "event": "action", "name": name, "outcome": outcome.rawValue, "detail": detail, "values": shown,
        ])
        made.withLock {
            $0.append(NewMessage(clientID: nil, sender: .system, kind: .event, body: body, isPrivate: true))
        }
    }
}
