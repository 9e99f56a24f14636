import Foundation
import KefuBot
import KefuCore
import KefuStore

/// What the bot does with one customer message in a conversation it holds: the messages it adds and the change to
/// the conversation (its flow state, or the hand-off to people).
struct BotTurn: Sendable {
    var messages: [NewMessage]
    var change: ConversationChange
    var handedOff: Bool
}

/// A source the customer may open: a help-center article, or the question of an FAQ entry.
struct BotSource: Codable, Sendable, Equatable {
    var title: String
    var url: String?
}

/// What agents see under every bot message: why the bot said what it said.
struct BotReasoning: Codable, Sendable, Equatable {
    var decision: String
    var intent: String?
    var confidence: Double
    var intents: [IntentScore]
    var reasons: [String]
    var sources: [BotSource]
    var anger: Double
    var urgency: Double

    struct IntentScore: Codable, Sendable, Equatable {
        var label: String
        var probability: Double
    }
}

/// Runs the workspace's active bot on customer messages of conversations in `bot` status.
struct ConversationBot: Sendable {
    let runtime: BotRuntime
    let catalogues: Catalogues
    let actions: ActionService
    var tickets: ConversationTickets?

    /// The bot's turn for `text`. `recent` are the customer's last messages (newest last) for the hand-off summary.
    func turn(_ text: String, conversation: Conversation, workspace: Workspace, recent: [String], data: WorkspaceData)
        async throws -> BotTurn
    {
        let locale: UILocale = conversation.locale == .zhCN ? .zhCN : .en
        let bot = try await runtime.bot(for: workspace.id)
        guard let engine = bot.engine else {
            return try await handoff(
                nil, reason: "no_active_model", conversation: conversation, recent: recent, data: data, workspace: workspace,
                locale: locale)
        }
        let context = conversation.botState.flatMap { try? JSONDecoder().decode(ConversationContext.self, from: Data($0.utf8)) }
        let calls = FlowActionRunner(
            actions: actions, tickets: tickets, workspace: workspace, conversation: conversation.id, locale: locale)
        let (decision, next) = try await engine.handle(
            text, context: context ?? ConversationContext(), flows: bot.flows, actions: calls)
        let reasoning = Self.reasoning(decision, bot: bot, slug: workspace.slug)
        if decision.kind == .handoff {
            var turn = try await handoff(
                decision, reason: decision.reasons.last ?? "handoff", conversation: conversation, recent: recent, data: data,
                workspace: workspace, locale: locale)
            if let said = decision.text, !said.isEmpty {
                turn.messages.insert(Self.message(said, reasoning), at: 0)
            }
            turn.messages.insert(contentsOf: calls.lines, at: 0)
            return turn
        }
        let reply = decision.text ?? catalogues.text("chat", "bot_unsure", locale)
        let state = next.flow == nil && next.failedAnswers == 0 ? nil : Self.encode(next)
        return BotTurn(
            messages: calls.lines + [Self.message(reply, reasoning)], change: ConversationChange(botState: .some(state)),
            handedOff: false)
    }

    /// What the bot makes of the customer's recent messages, for a hand-off the customer asked for with the button:
    /// the agent still gets the likely intent and the sentiment.
    func assess(_ recent: [String], workspace: WorkspaceID) async throws -> Decision? {
        guard !recent.isEmpty, let engine = try await runtime.bot(for: workspace).engine else { return nil }
        return engine.decide(recent.suffix(3).joined(separator: "\n"), context: ConversationContext())
    }

    /// The customer asked for a person (the widget's button, or the bot decided so).
    func handoff(
        _ decision: Decision?, reason: String, conversation: Conversation, recent: [String], data: WorkspaceData,
        workspace: Workspace, locale: UILocale, line text: String? = nil
    ) async throws -> BotTurn {
        let intent = decision?.intents.first.flatMap { $0.label == "out_of_scope" ? nil : $0 }
        var team = workspace.defaultTeamID
        if let label = intent?.label, let mapped = try await data.bot.team(forIntent: label) { team = mapped }
        let handoff = Handoff(
            intent: intent?.label, confidence: intent?.probability ?? 0, anger: decision?.sentiment.anger ?? 0,
            urgency: decision?.sentiment.urgency ?? 0, summary: Self.summary(recent), reason: reason)
        let line = NewMessage(
            clientID: nil, sender: .bot, body: text ?? catalogues.text("chat", "handing_off", locale),
            botDetail: decision.map { decision in
                // The hand-off line answers nothing: no sources under it, the reasoning for agents only.
                var reasoning = Self.reasoning(decision, bot: nil, slug: workspace.slug)
                reasoning.sources = []
                return Self.encode(reasoning)
            })
        return BotTurn(
            messages: [line],
            change: ConversationChange(status: .open, team: .some(team), handoff: handoff, botState: .some(nil)),
            handedOff: true)
    }

    static func summary(_ recent: [String]) -> String {
        let joined = recent.suffix(3).joined(separator: " / ")
        return joined.count > 280 ? String(joined.prefix(279)) + "…" : joined
    }

    private static func message(_ text: String, _ reasoning: BotReasoning) -> NewMessage {
        NewMessage(clientID: nil, sender: .bot, body: text, botDetail: encode(reasoning))
    }

    static func reasoning(_ decision: Decision, bot: LoadedBot?, slug: String) -> BotReasoning {
        let sources = decision.sources.map { hit -> BotSource in
            let article = bot?.entries["article:" + hit.id]?.article
            return BotSource(title: hit.title, url: article.map { WebPath.portalArticle(slug, $0) })
        }
        let top = decision.intents.first
        return BotReasoning(
            decision: decision.kind.rawValue, intent: top?.label, confidence: top?.probability ?? 0,
            intents: decision.intents.map { .init(label: $0.label, probability: $0.probability) }, reasons: decision.reasons,
            sources: sources, anger: decision.sentiment.anger, urgency: decision.sentiment.urgency)
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
