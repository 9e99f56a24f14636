import Foundation

extension BotEngine {
    /// Handles one message in its conversation: continues an active flow, or decides and starts a flow when the
    /// decision says so. Returns the decision and the context to store for the next message.
    public func handle(
        _ text: String, context: ConversationContext, flows: [String: Flow], actions: some FlowActions,
        runner: FlowRunner = FlowRunner()
    ) async throws -> (Decision, ConversationContext) {
        var context = context
        if let state = context.flow, let flow = flows[state.flowID] {
            let turn = try await runner.resume(flow, state: state, message: text, actions: actions)
            context.flow = turn.state
            return (flowDecision(turn, text: text, flowID: flow.id), context)
        }
        let decision = decide(text, context: context)
        guard decision.kind == .startFlow, let id = decision.flow, let flow = flows[id] else {
            return (decision, context)
        }
        let turn = try await runner.start(flow, message: text, actions: actions)
        context.flow = turn.state
        return (flowDecision(turn, text: text, flowID: id, base: decision), context)
    }

    private func flowDecision(_ turn: FlowTurn, text: String, flowID: String, base: Decision? = nil) -> Decision {
        let kind: Decision.Kind
        let reason: String
        switch turn.status {
        case .waiting:
            kind = .startFlow
            reason = "flow_waiting_for_answer"
        case .ended:
            kind = .answer
            reason = "flow_ended"
        case .cancelled:
            kind = .answer
            reason = "flow_cancelled_by_customer"
        case .handoff:
            kind = .handoff
            reason = "flow_handed_off"
        }
        return Decision(
            kind: kind, text: turn.messages.isEmpty ? nil : turn.messages.joined(separator: "\n"), sources: [], options: [],
            flow: flowID, reasons: (base?.reasons ?? []) + [reason], intents: base?.intents ?? [],
            sentiment: base?.sentiment ?? SentimentAnalyzer().score(text))
    }
}
