import Foundation

/// A guided process, declared in JSON (docs/FLOWS.md): named steps that ask for slots, call actions the server
/// supplies, branch on their outcome, show messages with slot values, hand off or end.
public struct Flow: Sendable, Codable, Equatable {
    public var id: String
    public var start: String
    public var steps: [String: Step]

    public struct Step: Sendable, Codable, Equatable {
        public enum Kind: String, Sendable, Codable { case ask, action, ticket, message, handoff, end }

        public var type: Kind
        /// ask: the slot to fill, its kind, the question, the choices for `choice`.
        public var slot: String?
        public var kind: SlotKind?
        public var prompt: String?
        public var retryPrompt: String?
        public var options: [String]?
        /// action: the action's name; `branches` maps its outcome to a step.
        public var action: String?
        public var branches: [String: String]?
        /// ticket: the new ticket's subject (with `{{slot}}` placeholders) and priority.
        public var subject: String?
        public var priority: String?
        /// message: text with `{{slot}}` placeholders.
        public var text: String?
        public var reason: String?
        public var next: String?

        enum CodingKeys: String, CodingKey {
            case type, slot, kind, prompt, options, action, branches, subject, priority, text, reason, next
            case retryPrompt = "retry_prompt"
        }
    }

    public static func load(json: Data) throws -> Flow {
        let flow = try JSONDecoder().decode(Flow.self, from: json)
        try flow.validate()
        return flow
    }

    /// Every step reference points at a step; asks name a slot and kind; actions name an action.
    public func validate() throws {
        guard steps[start] != nil else { throw FlowError.unknownStep(start) }
        for (name, step) in steps {
            for target in [step.next].compactMap({ $0 }) + Array((step.branches ?? [:]).values) where steps[target] == nil {
                throw FlowError.unknownStep("\(name) → \(target)")
            }
            if step.type == .ask && (step.slot == nil || step.kind == nil || step.prompt == nil) {
                throw FlowError.invalidStep(name, "an ask step needs slot, kind and prompt")
            }
            if step.type == .action && step.action == nil { throw FlowError.invalidStep(name, "an action step needs action") }
            if step.type == .ticket && (step.subject ?? "").isEmpty {
                throw FlowError.invalidStep(name, "a ticket step needs subject")
            }
        }
    }
}

public enum FlowError: Error, Equatable, CustomStringConvertible {
    case unknownStep(String)
    case invalidStep(String, String)

    public var description: String {
        switch self {
        case .unknownStep(let name): "the flow refers to a step that does not exist: \(name)"
        case .invalidStep(let name, let reason): "step \(name): \(reason)"
        }
    }
}

/// What an action answered: an outcome to branch on and values to use in messages.
public struct ActionResult: Sendable, Equatable {
    public var outcome: String
    public var values: [String: String]

    public init(outcome: String, values: [String: String] = [:]) {
        self.outcome = outcome
        self.values = values
    }
}

/// The server's actions (query an order, file a return …). Tests use an in-process table.
public protocol FlowActions: Sendable {
    func call(_ action: String, slots: [String: String]) async throws -> ActionResult
    /// Files a ticket for the conversation with the slots; outcome `created` (values: `ticket_number`) or another.
    func createTicket(subject: String, priority: String?, slots: [String: String]) async throws -> ActionResult
}

extension FlowActions {
    /// Where no tickets can be filed (a flow tried outside a conversation): the step takes its failure path.
    public func createTicket(subject: String, priority: String?, slots: [String: String]) async throws -> ActionResult {
        ActionResult(outcome: "unavailable")
    }
}

/// What one customer message did to a flow.
public struct FlowTurn: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable { case waiting, ended, cancelled, handoff }

    public var messages: [String]
    public var status: Status
    /// The state to store until the next message; nil once the flow is over.
    public var state: FlowState?
}

/// Runs flows one customer message at a time. Pure apart from the actions it calls.
public struct FlowRunner: Sendable {
    public var extractor: SlotExtractor
    /// Wrong answers to one question before handing off.
    public var maxRetries = 2

    public init(extractor: SlotExtractor = SlotExtractor()) {
        self.extractor = extractor
    }

    static let cancelWords = ["取消", "算了", "不用了", "不要了", "cancel", "stop", "never mind", "nevermind", "quit"]

    /// Starts a flow; slots the first message already contains are filled at once.
    public func start(_ flow: Flow, message: String, actions: some FlowActions) async throws -> FlowTurn {
        var state = FlowState(flowID: flow.id, stepID: flow.start)
        for step in flow.steps.values where step.type == .ask {
            if let slot = step.slot, let kind = step.kind, kind != .text,
                let value = extractor.extract(kind, from: message, options: step.options ?? [])
            {
                state.slots[slot] = value
            }
        }
        return try await run(flow, state: state, actions: actions, messages: [])
    }

    /// Feeds the customer's next message to a waiting flow.
    public func resume(_ flow: Flow, state: FlowState, message: String, actions: some FlowActions) async throws -> FlowTurn {
        let normalized = TextNormalizer().normalize(message)
        if Self.cancelWords.contains(where: { normalized.contains($0) }) {
            return FlowTurn(messages: [], status: .cancelled, state: nil)
        }
        guard let step = flow.steps[state.stepID], step.type == .ask, let slot = step.slot, let kind = step.kind else {
            return try await run(flow, state: state, actions: actions, messages: [])
        }
        var state = state
        if let value = extractor.extract(kind, from: message, options: step.options ?? []) {
            state.slots[slot] = value
            state.retries = 0
            return try await run(flow, state: state, actions: actions, messages: [])
        }
        state.retries += 1
        if state.retries > maxRetries {
            return FlowTurn(messages: [], status: .handoff, state: nil)
        }
        return FlowTurn(messages: [render(step.retryPrompt ?? step.prompt ?? "", state.slots)], status: .waiting, state: state)
    }

    private func run(_ flow: Flow, state: FlowState, actions: some FlowActions, messages: [String]) async throws -> FlowTurn {
        var state = state
        var messages = messages
        for _ in 0..<64 {  // a flow with a loop must still stop
            guard let step = flow.steps[state.stepID] else { return FlowTurn(messages: messages, status: .handoff, state: nil) }
            switch step.type {
            case .ask:
                if let slot = step.slot, state.slots[slot] != nil, let next = step.next {
                    state.stepID = next
                    continue
                }
                messages.append(render(step.prompt ?? "", state.slots))
                return FlowTurn(messages: messages, status: .waiting, state: state)
            case .action:
                let result = try await actions.call(step.action ?? "", slots: state.slots)
                state.slots.merge(result.values) { _, new in new }
                guard let next = step.branches?[result.outcome] ?? step.next else {
                    return FlowTurn(messages: messages, status: .handoff, state: nil)
                }
                state.stepID = next
            case .ticket:
                let result = try await actions.createTicket(
                    subject: render(step.subject ?? "", state.slots), priority: step.priority, slots: state.slots)
                state.slots.merge(result.values) { _, new in new }
                guard let next = step.branches?[result.outcome] ?? step.next else {
                    return FlowTurn(messages: messages, status: .handoff, state: nil)
                }
                state.stepID = next
            case .message:
                messages.append(render(step.text ?? "", state.slots))
                guard let next = step.next else { return FlowTurn(messages: messages, status: .ended, state: nil) }
                state.stepID = next
            case .handoff:
                if let text = step.text { messages.append(render(text, state.slots)) }
                return FlowTurn(messages: messages, status: .handoff, state: nil)
            case .end:
                if let text = step.text { messages.append(render(text, state.slots)) }
                return FlowTurn(messages: messages, status: .ended, state: nil)
            }
        }
        return FlowTurn(messages: messages, status: .handoff, state: nil)
    }

    /// Replaces `{{name}}` with slot values; unknown names become empty.
    func render(_ template: String, _ slots: [String: String]) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            out += slots[name] ?? ""
            rest = rest[close.upperBound...]
        }
        return out + rest
    }
}
