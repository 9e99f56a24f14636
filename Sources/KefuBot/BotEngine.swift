import Foundation

/// What the bot knows about the conversation so far; a pure value the server stores between messages.
public struct ConversationContext: Sendable, Codable, Equatable {
    /// Answers in a row that the customer did not accept (rephrased, thumbs-down).
    public var failedAnswers: Int
    public var flow: FlowState?

    public init(failedAnswers: Int = 0, flow: FlowState? = nil) {
        self.failedAnswers = failedAnswers
        self.flow = flow
    }
}

/// The bot's decision for one message, with the reasons and the top intents so an agent can see why.
public struct Decision: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case answer, clarify, startFlow, handoff
    }

    public var kind: Kind
    public var text: String?
    public var sources: [KnowledgeBase.Hit]
    public var options: [String]
    public var flow: String?
    public var reasons: [String]
    public var intents: [IntentClassifier.Score]
    public var sentiment: SentimentScore

    enum CodingKeys: String, CodingKey {
        case kind = "decision"
        case text, sources, options, flow, reasons, intents, sentiment
    }
}

/// Decides what to do with a customer's message: answer from the knowledge base, ask which of two close intents
/// was meant, start a flow, or hand over to a human.
public struct BotEngine: Sendable {
    public var model: BotModel
    public var knowledge: KnowledgeBase
    /// Intent → flow id, for intents that start a guided process.
    public var flows: [String: String]
    /// When the top two intents are closer than this, ask.
    public var clarifyMargin = 0.15
    /// A knowledge-base hit at least this strong answers even when the intent is unsure.
    public var retrievalConfidence = 8.0

    public init(model: BotModel, knowledge: KnowledgeBase = KnowledgeBase(), flows: [String: String] = [:]) {
        self.model = model
        self.knowledge = knowledge
        self.flows = flows
    }

    static let humanRequests = [
        "转人工", "人工客服", "人工服务", "找人工", "真人", "客服人员", "接人工", "human", "agent", "real person",
        "representative", "speak to someone", "talk to someone", "operator",
    ]

    public func decide(_ text: String, context: ConversationContext) -> Decision {
        let normalized = TextNormalizer().normalize(text)
        let sentiment = SentimentAnalyzer().score(text)
        let assessment = model.classifier.assess(text)
        let intents = Array(assessment.intents.prefix(3))
        func decision(
            _ kind: Decision.Kind, _ reasons: [String], text: String? = nil, sources: [KnowledgeBase.Hit] = [],
            options: [String] = [], flow: String? = nil
        ) -> Decision {
            Decision(
                kind: kind, text: text, sources: sources, options: options, flow: flow, reasons: reasons, intents: intents,
                sentiment: sentiment)
        }
        guard !normalized.isEmpty,
            normalized.unicodeScalars.contains(where: { $0.properties.isAlphabetic || ("0"..."9").contains($0) })
        else {
            return decision(.clarify, ["empty_or_no_words"])
        }
        if Self.humanRequests.contains(where: { normalized.contains($0) }) {
            return decision(.handoff, ["customer_asked_for_human"])
        }
        if sentiment.isAngry {
            return decision(.handoff, ["anger_or_complaint_detected"])
        }
        if context.failedAnswers >= 2 {
            return decision(.handoff, ["two_failed_answers"])
        }
        let hits = knowledge.search(text, limit: 3)
        let top = intents.first
        let handoffReason = model.handoffReason(assessment)
        if let top, handoffReason == nil {
            if let flow = flows[top.label] {
                return decision(.startFlow, ["intent_starts_flow"], flow: flow)
            }
            if intents.count > 1, top.probability - intents[1].probability < clarifyMargin,
                intents[1].label != model.outOfScopeLabel
            {
                let a = top.label.replacingOccurrences(of: "_", with: " ")
                let b = intents[1].label.replacingOccurrences(of: "_", with: " ")
                return decision(
                    .clarify, ["top_intents_too_close"], text: "您是想问「\(a)」还是「\(b)」？ Did you mean \(a) or \(b)?",
                    options: [top.label, intents[1].label])
            }
            if let hit = hits.first(where: { $0.intent == top.label }) ?? hits.first {
                return decision(.answer, ["intent_confident", "knowledge_base_match"], text: hit.answer, sources: [hit])
            }
            return decision(.handoff, ["no_answer_in_knowledge_base"])
        }
        if let hit = hits.first, hit.score >= retrievalConfidence {
            return decision(.answer, ["knowledge_base_match"], text: hit.answer, sources: [hit])
        }
        return decision(.handoff, [handoffReason ?? "low_confidence"])
    }
}

/// Where a customer is in a guided flow; a pure value the server stores between messages.
public struct FlowState: Sendable, Codable, Equatable {
    public var flowID: String
    public var stepID: String
    public var slots: [String: String]
    /// Unusable answers to the current question so far.
    public var retries: Int

    public init(flowID: String, stepID: String, slots: [String: String] = [:], retries: Int = 0) {
        self.flowID = flowID
        self.stepID = stepID
        self.slots = slots
        self.retries = retries
    }
}
