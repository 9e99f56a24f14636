import Foundation

/// A typed identifier: a `TypedID<Workspace>` cannot be passed where a `TypedID<UserAccount>` is wanted.
/// On the wire and in the database it is the plain UUID.
public struct TypedID<Entity>: Hashable, Sendable, Codable, LosslessStringConvertible {
    public let uuid: UUID

    public init(_ uuid: UUID = UUID()) { self.uuid = uuid }

    public init?(_ description: String) {
        guard let uuid = UUID(uuidString: description) else { return nil }
        self.uuid = uuid
    }

    public var description: String { uuid.uuidString }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let uuid = UUID(uuidString: try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a UUID")
        }
        self.uuid = uuid
    }

    /// As UUID itself encodes, one container level less (ids are in every response).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(uuid.uuidString)
    }
}

public typealias WorkspaceID = TypedID<Workspace>
public typealias UserID = TypedID<UserAccount>
public typealias MembershipID = TypedID<Membership>
public typealias TeamID = TypedID<Team>
public typealias TokenID = TypedID<APITokenInfo>
public typealias InvitationID = TypedID<Invitation>
public typealias AuditEventID = TypedID<AuditEvent>
public typealias ArticleID = TypedID<KBArticle>
public typealias CategoryID = TypedID<KBCategory>
public typealias FAQID = TypedID<KBFAQ>
public typealias RevisionID = TypedID<KBRevision>
public typealias IntentID = TypedID<BotIntent>
public typealias PhraseID = TypedID<TrainingPhrase>
public typealias BotModelID = TypedID<BotModelVersion>
public typealias JobID = TypedID<Job>
public typealias ContactID = TypedID<Contact>
public typealias ConversationID = TypedID<Conversation>
public typealias MessageID = TypedID<ChatMessage>
public typealias AttachmentID = TypedID<ChatAttachment>
