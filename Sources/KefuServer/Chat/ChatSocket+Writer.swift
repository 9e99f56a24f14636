import Foundation
import HummingbirdWebSocket
import KefuCore
import Logging

extension ChatSocket {
    /// Sends what the outbox holds, in order. Per watched conversation it remembers the last sequence sent: an older
    /// or repeated message is dropped, a newer one after a gap is preceded by the gap read from the database.
    func write(_ connection: Connection, _ outbound: WebSocketOutboundWriter, logger: Logger) async {
        var sent: [ConversationID: Int64] = [:]
        do {
            for await item in connection.outbox.stream {
                // Replies go straight out; the rest is handled out of line, so this loop's frame stays small.
                if case .frame(let json) = item {
                    try await outbound.write(.text(json))
                    continue
                }
                guard try await write(item, connection, outbound, sent: &sent) else { return }
            }
            if connection.outbox.didOverflow {
                logger.info("chat socket too slow; closed for resync")
                try await outbound.close(.unknown(4008), reason: "too slow; resume by sequence")
            } else if let (code, reason) = connection.closing.withLock({ $0 }), code != 1000 {
                try await outbound.close(.init(codeNumber: Int(code)), reason: reason)
            }
        } catch {
            // The client is gone, or reading what to send failed: either way close, so a live client reconnects and
            // resumes by sequence instead of waiting on a socket that no longer writes.
            logger.debug("chat socket write ended", metadata: ["error": "\(error)"])
            connection.outbox.finish()
            try? await outbound.close(.unexpectedServerError, reason: "resume by sequence")
        }
    }

    /// One outbox item; false when the socket must close. Never inlined: an idle socket's writer waits in `write`,
    /// whose async frame (held for the socket's life) would otherwise hold room for all of this too.
    @inline(never)
    private func write(
        _ item: ChatOutbox.Item, _ connection: Connection, _ outbound: WebSocketOutboundWriter,
        sent: inout [ConversationID: Int64]
    ) async throws -> Bool {
        guard let peer = connection.peer.withLock({ $0 }) else {
            if case .frame(let json) = item { try await outbound.write(.text(json)) }
            return true
        }
        switch item {
        case .frame(let json):
            try await outbound.write(.text(json))
        case .sync(let id, let after):
            let last = try await catchUp(id, after: max(after, sent[id] ?? after), peer: peer, outbound)
            sent[id] = last
            var synced = OutboundFrame("synced")
            synced.conversation = id
            synced.lastSeq = last
            synced.reads = try await conversations.readMarks(peer.workspace, id)
            try await outbound.write(.text(synced.json))
            if !peer.isAgent {
                if let standing = try await conversations.queueStanding(peer.workspace, id) {
                    try await outbound.write(.text(OutboundFrame.queue(id, standing).json))
                }
            }
        case .event(let event):
            try await deliver(event, peer: peer, sent: &sent, outbound, outbox: connection.outbox)
        case .state(let id):
            guard case .agent(let identity, let teams) = peer, let shared = connection.outbox.takeState(id),
                let conversation = shared.conversation,
                try await ConversationService.mayView(identity, conversation, teams: { teams })
            else { return true }
            try await outbound.write(.text(shared.state(conversation, forAgent: true)))
        case .forget(let id):
            sent[id] = nil
        case .resync:
            for (id, last) in sent { sent[id] = try await catchUp(id, after: last, peer: peer, outbound) }
        case .recheck:
            guard try await recheck(connection, peer: peer) else {
                connection.closing.withLock { $0 = (4401, "unauthenticated") }
                connection.outbox.finish()
                try await outbound.close(.unknown(4401), reason: "unauthenticated")
                return false
            }
        }
        return true
    }

    /// Reloads the agent behind the socket's credential and their teams; false when they may no longer read chats.
    private func recheck(_ connection: Connection, peer: ChatPeer) async throws -> Bool {
        guard case .agent = peer, let presented = connection.credential.withLock({ $0 }) else { return true }
        let identity: Identity
        do {
            identity = try await agent(presented, fresh: true)
        } catch let error as DomainError {
            if case .unauthenticated = error { return false }
            if case .forbidden = error { return false }
            throw error
        }
        let teams = try await conversations.teams(of: identity)
        connection.peer.withLock { $0 = .agent(identity, teams: teams) }
        return true
    }

    private func deliver(
        _ shared: SharedFrames, peer: ChatPeer, sent: inout [ConversationID: Int64], _ outbound: WebSocketOutboundWriter,
        outbox: ChatOutbox
    ) async throws {
        let event = shared.event
        let id = event.conversationID
        let watching = sent[id] != nil
        switch event {
        case .message(let message, let conversation):
            if case .agent(let identity, let teams) = peer,
                try await !ConversationService.mayView(identity, conversation, teams: { teams })
            {
                // Moved out of the agent's sight (another team, or their access changed): stop following it.
                sent[id] = nil
                return
            }
            if let last = sent[id] {
                if message.seq == last + 1 {
                    if peer.isAgent || !message.isPrivate {
                        try await outbound.write(.text(shared.message(message, forAgent: peer.isAgent)))
                    }
                    sent[id] = message.seq
                } else if message.seq > last + 1 {
                    sent[id] = try await catchUp(id, after: last, peer: peer, outbound)
                }
            }
            if peer.isAgent { outbox.pushState(shared) }
        case .conversation(let conversation):
            switch peer {
            case .customer:
                guard watching else { return }
                try await outbound.write(.text(shared.state(conversation, forAgent: false)))
            case .agent:
                outbox.pushState(shared)
            }
        case .typing(_, let from, let name, let isTyping):
            guard watching, from != peer.participant else { return }
            var frame = OutboundFrame("typing")
            frame.conversation = id
            frame.from = from.hasPrefix("agent:") && !peer.isAgent ? "agent" : from
            frame.name = name
            frame.typing = isTyping
            try await outbound.write(.text(frame.json))
        case .queue(_, let standing):
            guard watching, !peer.isAgent else { return }
            try await outbound.write(.text(OutboundFrame.queue(id, standing).json))
        case .read(_, let participant, let seq):
            guard watching, participant != peer.participant else { return }
            var frame = OutboundFrame("read")
            frame.conversation = id
            frame.reader = participant.hasPrefix("agent:") && !peer.isAgent ? "agent" : participant
            frame.seq = seq
            try await outbound.write(.text(frame.json))
        }
    }

    /// Sends the conversation's stored messages after `after`, oldest first; returns the last sequence covered.
    private func catchUp(_ id: ConversationID, after: Int64, peer: ChatPeer, _ outbound: WebSocketOutboundWriter)
        async throws -> Int64
    {
        // Every message up to the conversation's last_seq as read now is committed, so the pages below cover it. A
        // client claiming more than exists is held to what exists, or it would never see the next messages.
        var last = try await conversations.lastSeq(peer.workspace, id)
        var cursor = min(after, last)
        while true {
            let page = try await conversations.messagePage(
                peer.workspace, id, after: cursor, limit: 200, includePrivate: peer.isAgent)
            for message in page {
                try await outbound.write(.text(OutboundFrame.message(message, forAgent: peer.isAgent).json))
            }
            guard let newest = page.last?.seq else { break }
            cursor = newest
            last = max(last, newest)
            if page.count < 200 { break }
        }
        return last
    }
}
