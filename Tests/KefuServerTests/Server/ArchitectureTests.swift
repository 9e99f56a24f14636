import Foundation
import Testing

/// Rules of the house that a reader can check against the tree (docs/ARCHITECTURE.md), checked here so they stay
/// true: messages enter a conversation through the conversation core only.
@Suite struct ArchitectureTests {
    static let server = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/KefuServer")

    static func sources() throws -> [(path: String, text: String)] {
        let files =
            FileManager.default.enumerator(at: server, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        return try files.map {
            ($0.path.replacingOccurrences(of: server.path + "/", with: ""), try String(contentsOf: $0, encoding: .utf8))
        }
    }

    /// Only the conversation core (`Chat/ConversationService*.swift`) appends messages; routing's assignment lines,
    /// written in the assignment's own transaction, are the documented exception.
    @Test func onlyTheConversationCoreAppendsMessages() throws {
        let files = try Self.sources()
        #expect(files.count > 100)
        let allowed = { (path: String) in path.hasPrefix("Chat/ConversationService") || path == "Routing/ChatRouter.swift" }
        for (path, text) in files where !allowed(path) {
            #expect(!text.contains(".conversations.append("), "\(path) appends a message outside the conversation core")
        }
    }

    /// Transports translate; they do not decide the bot's turn.
    @Test func noTransportRunsTheBot() throws {
        for (path, text) in try Self.sources() where path.hasSuffix("Socket.swift") || path.hasSuffix("APIController.swift") {
            #expect(!text.contains("botTurn(") && !text.contains("runBot("), "\(path) runs the bot itself")
        }
    }

    /// A service keeps its database to itself: nothing reaches through one service to another's `store` (the
    /// composition root, `AppDependencies`, hands each its own).
    @Test func noCodeReachesThroughAServiceToItsStore() throws {
        let reach = try Regex(#"\b([A-Za-z_]+)\.store\.(scoped|unscoped|transaction|database)"#)
        for (path, text) in try Self.sources() {
            for match in text.matches(of: reach) {
                let owner = String(text[match.range].prefix { $0 != "." })
                #expect(["self", "deps", "dependencies"].contains(owner), "\(path): \(text[match.range])")
            }
            #expect(!text.contains("var store: Store {"), "\(path) exposes another service's store")
        }
    }

    /// No process-wide state: every shared thing (HTTP client, thread pools, caches) is made by the composition root
    /// and handed in, so a test can make its own.
    @Test func noProcessGlobals() throws {
        let global = try Regex(#"(?m)^(public |private |fileprivate |nonisolated\(unsafe\) )*(let|var) "#)
        for (path, text) in try Self.sources() {
            #expect(text.firstMatch(of: global) == nil, "\(path) declares a global")
        }
    }
}
