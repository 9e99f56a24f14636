import Foundation
import KefuBot
import KefuCore
import KefuStore
import Logging

/// Keeps each workspace's bot loaded once and shared by every request. A request gets the current snapshot; when
/// the workspace's revision moved (a knowledge edit or a new active model, here or on another instance), the
/// runtime applies the logged changes entry by entry — or loads the new model — and swaps the snapshot. Other
/// instances notice within `pollInterval` (half a second).
actor BotRuntime {
    private struct Slot {
        var bot: LoadedBot
        var checkedAt: ContinuousClock.Instant
    }

    private let store: Store
    private let logger: Logger
    private let pollInterval: Duration
    private let clock = ContinuousClock()
    private var slots: [WorkspaceID: Slot] = [:]
    private var refreshing: [WorkspaceID: Task<LoadedBot, any Error>] = [:]

    init(store: Store, logger: Logger, pollInterval: Duration = .milliseconds(500)) {
        self.store = store
        self.logger = logger
        self.pollInterval = pollInterval
    }

    /// The workspace's bot, at most `pollInterval` behind the database.
    func bot(for workspace: WorkspaceID) async throws -> LoadedBot {
        if let slot = slots[workspace], clock.now - slot.checkedAt < pollInterval { return slot.bot }
        if let running = refreshing[workspace] { return try await running.value }
        let previous = slots[workspace]?.bot
        let task = Task { [store, logger] in
            try await Self.refreshed(previous, workspace: workspace, store: store, logger: logger)
        }
        refreshing[workspace] = task
        defer { refreshing[workspace] = nil }
        do {
            let bot = try await task.value
            slots[workspace] = Slot(bot: bot, checkedAt: clock.now)
            return bot
        } catch {
            // The old snapshot keeps answering when the database hiccups; the next try waits for the next poll.
            if let previous {
                logger.warning("bot refresh failed", metadata: ["workspace": "\(workspace)", "error": "\(error)"])
                slots[workspace]?.checkedAt = clock.now
                return previous
            }
            throw error
        }
    }

    /// After a change on this instance: the next request catches up at once instead of waiting for the poll.
    func changed(_ workspace: WorkspaceID) {
        slots[workspace]?.checkedAt = clock.now - pollInterval
    }

    private static func refreshed(_ previous: LoadedBot?, workspace: WorkspaceID, store: Store, logger: Logger) async throws
        -> LoadedBot
    {
        let data = store.scoped(to: workspace)
        guard var bot = previous else {
            var fresh = LoadedBot(revision: 0)
            let changes = try await data.knowledge.everything()
            fresh.apply(changes)
            try await loadModel(into: &fresh, data: data, logger: logger)
            return fresh
        }
        let current = try await data.knowledge.revision()
        guard current != bot.revision else { return bot }
        let changes = try await data.knowledge.changes(since: bot.revision)
        bot.apply(changes)
        if changes.removed.contains(KnowledgeEntry.model) { try await loadModel(into: &bot, data: data, logger: logger) }
        return bot
    }

    private static func loadModel(into bot: inout LoadedBot, data: WorkspaceData, logger: Logger) async throws {
        guard let stored = try await data.bot.activeModel() else {
            bot.model = nil
            bot.modelVersion = nil
            return
        }
        guard stored.info.version != bot.modelVersion else { return }
        do {
            bot.model = try ModelCodec.decode(stored.blob)
        } catch {
            // An unreadable model must not take the help center's search down with it: no model, a clear log line.
            logger.error(
                "active bot model cannot be read", metadata: ["version": "\(stored.info.version)", "error": "\(error)"])
            bot.model = nil
        }
        bot.modelVersion = stored.info.version
        bot.intentFlows = Dictionary(
            try await data.bot.intents().compactMap { intent in intent.flow.map { (intent.label, $0) } },
            uniquingKeysWith: { a, _ in a })
        var flows: [String: Flow] = [:]
        for (id, definition) in try await data.bot.flows() {
            if let flow = try? Flow.load(json: Data(definition.utf8)) { flows[id] = flow }
        }
        bot.flows = flows
    }
}

/// Names in the index change log that are not knowledge entries.
enum KnowledgeEntry {
    static let model = "model"
}
