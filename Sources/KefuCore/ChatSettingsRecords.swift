import Foundation

public typealias CannedReplyID = TypedID<CannedReply>
public typealias SensitiveWordID = TypedID<SensitiveWord>

/// A prepared answer an agent inserts by typing `/shortcut`. Workspace-wide when `ownerID` is nil, else one agent's.
/// The body may hold slots (`{{contact.name}}`, `{{agent.name}}`, …) filled in for the conversation at hand.
public struct CannedReply: Sendable, Codable, Equatable {
    public var id: CannedReplyID
    public var workspaceID: WorkspaceID
    public var ownerID: UserID?
    public var shortcut: String
    public var body: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: CannedReplyID, workspaceID: WorkspaceID, ownerID: UserID?, shortcut: String, body: String, createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.ownerID = ownerID
        self.shortcut = shortcut
        self.body = body
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a sensitive word does. Every listed word flags a customer's message that contains it (agents see the flag);
/// in agents' messages, `mask` words are replaced with asterisks before they are stored and `block` words refuse the
/// message; `flag` words only mark it.
public enum SensitiveWordAction: String, Codable, Sendable, CaseIterable {
    case flag, mask, block
}

/// One entry of a workspace's sensitive-word list.
public struct SensitiveWord: Sendable, Codable, Equatable {
    public var id: SensitiveWordID
    public var workspaceID: WorkspaceID
    public var word: String
    public var action: SensitiveWordAction
    public var createdAt: Date

    public init(id: SensitiveWordID, workspaceID: WorkspaceID, word: String, action: SensitiveWordAction, createdAt: Date) {
        self.id = id
        self.workspaceID = workspaceID
        self.word = word
        self.action = action
        self.createdAt = createdAt
    }
}

/// The availability an agent chooses. Shown as `offline` whenever they have no console open.
public enum AgentStatus: String, Codable, Sendable, CaseIterable {
    case online, away
}
