import Foundation
import KefuCore

/// A domain event as it travels between instances in a NOTIFY payload: small. Messages and conversation changes
/// carry only their ids (the receiver reads the rows, which are the truth); the rest carry everything.
struct WireEvent: Codable, Sendable, Equatable {
    enum Kind: String, Codable {
        case accessChanged = "access"
        case presence, message, conversation, typing, read, queue
        case ticketAlert = "ticket_alert"
    }

    var kind: Kind
    var workspace: UUID
    var conversation: UUID?
    var seq: Int64?
    var user: UUID?
    var status: String?
    var from: String?
    var name: String?
    var typing: Bool?
    var participant: String?
    var position: Int?
    var wait: Int?
    var unavailable: String?
    var opens: Date?
    var ticket: UUID?
    var number: Int?
    var metric: String?
    var alert: String?

    init(kind: Kind, workspace: WorkspaceID) {
        self.kind = kind
        self.workspace = workspace.uuid
    }

    /// Nil for what concerns this instance alone (`resync`).
    init?(_ event: DomainEvent) {
        switch event {
        case .resync: return nil
        case .accessChanged(let workspace):
            self.init(kind: .accessChanged, workspace: workspace)
        case .ticketAlert(let workspace, let notice):
            self.init(kind: .ticketAlert, workspace: workspace)
            ticket = notice.ticketID.uuid
            number = notice.number
            metric = notice.metric.rawValue
            alert = notice.alert.rawValue
            opens = notice.dueAt
        case .presence(let workspace, let user, let status):
            self.init(kind: .presence, workspace: workspace)
            self.user = user.uuid
            self.status = status
        case .chat(let workspace, let chat):
            switch chat {
            case .message(let message, _):
                self.init(kind: .message, workspace: workspace)
                seq = message.seq
            case .conversation:
                self.init(kind: .conversation, workspace: workspace)
            case .typing(_, let from, let name, let isTyping):
                self.init(kind: .typing, workspace: workspace)
                self.from = from
                self.name = name
                typing = isTyping
            case .read(_, let participant, let seq):
                self.init(kind: .read, workspace: workspace)
                self.participant = participant
                self.seq = seq
            case .queue(_, let standing):
                self.init(kind: .queue, workspace: workspace)
                position = standing?.position
                wait = standing?.estimatedWait
                unavailable = standing?.unavailable?.rawValue
                opens = standing?.opensAt
            }
            conversation = chat.conversationID.uuid
        }
    }

    /// The event again, reading what the payload left out from the store; nil when its rows are gone.
    func resolve(_ store: Store) async throws -> DomainEvent? {
        let workspace = WorkspaceID(self.workspace)
        switch kind {
        case .accessChanged: return .accessChanged(workspace)
        case .presence:
            guard let user, let status else { return nil }
            return .presence(workspace, UserID(user), status: status)
        case .ticketAlert:
            guard let ticket, let number, let metric = metric.flatMap(SLAMetric.init(rawValue:)),
                let alert = alert.flatMap(SLAAlert.init(rawValue:))
            else { return nil }
            return .ticketAlert(
                workspace,
                TicketAlertNotice(ticketID: TicketID(ticket), number: number, metric: metric, alert: alert, dueAt: opens))
        default: break
        }
        guard let conversation else { return nil }
        let id = ConversationID(conversation)
        let data = store.scoped(to: workspace).conversations
        let chat: ChatEvent
        switch kind {
        case .message:
            guard let seq,
                let message = try await data.messages(id, after: seq - 1, limit: 1, includePrivate: true).first,
                message.seq == seq
            else { return nil }
            chat = .message(message, try await data.conversation(id))
        case .conversation:
            chat = .conversation(try await data.conversation(id))
        case .typing:
            chat = .typing(id, from: from ?? "", name: name, isTyping: typing ?? false)
        case .read:
            chat = .read(id, participant: participant ?? "", seq: seq ?? 0)
        case .queue:
            chat = .queue(
                id,
                position.map {
                    QueueStanding(
                        position: $0, estimatedWait: wait, unavailable: unavailable.flatMap(Unavailability.init(rawValue:)),
                        opensAt: opens)
                })
        case .accessChanged, .presence, .ticketAlert: return nil
        }
        return .chat(workspace, chat)
    }
}

/// One NOTIFY: the events an instance published since its previous one, in order.
struct WireBatch: Codable, Sendable {
    var instance: UUID
    var events: [WireEvent]
}
