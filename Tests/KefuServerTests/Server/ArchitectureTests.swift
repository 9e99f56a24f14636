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
}
