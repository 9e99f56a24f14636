import FluentKit
import Foundation
import KefuCore
import SQLKit

extension SQLConversationRepository {
    func append(_ id: ConversationID, _ message: NewMessage, at: Date) async throws -> AppendResult {
        // The row lock orders appends to one conversation: the dedupe check and the next sequence number are read
        // under it.
        let conversation = try await lockedModel(id)
        if let clientID = message.clientID,
            let earlier = try await scope.query(MessageModel.self).filter(\.$conversationID == id.uuid)
                .filter(\.$clientID == clientID).first()
        {
            return AppendResult(
                message: try await withAttachments([try earlier.record()])[0], conversation: try conversation.record(),
                isNew: false)
        }
        let model = MessageModel()
        model.id = UUID()
        model.workspaceID = scope.workspaceID.uuid
        model.conversationID = id.uuid
        model.seq = conversation.lastSeq + 1
        model.clientID = message.clientID
        model.sender = message.sender.rawValue
        model.senderID = message.senderID?.uuid
        model.kind = message.kind.rawValue
        model.body = message.body
        model.isPrivate = message.isPrivate
        model.botDetail = message.botDetail
        model.attachmentID = message.attachmentID?.uuid
        model.createdAt = at
        try await model.create(on: scope.db)
        conversation.lastSeq = model.seq
        conversation.lastMessageAt = at
        conversation.updatedAt = at
        if !message.isPrivate && message.kind != .event { conversation.preview = String(message.body.prefix(140)) }
        try await conversation.update(on: scope.db)
        return AppendResult(
            message: try await withAttachments([try model.record()])[0], conversation: try conversation.record(), isNew: true)
    }

    /// Fills in the files that messages carry, with one query.
    func withAttachments(_ messages: [ChatMessage]) async throws -> [ChatMessage] {
        let ids = Set(messages.compactMap(\.attachmentID?.uuid))
        guard !ids.isEmpty else { return messages }
        let rows = try await scope.query(AttachmentModel.self).filter(\.$id ~~ Array(ids)).all()
        var files: [UUID: ChatAttachment] = [:]
        for row in rows { files[try row.requireID()] = try row.record() }
        return messages.map { message in
            var message = message
            message.attachment = message.attachmentID.flatMap { files[$0.uuid] }
            return message
        }
    }

    func messages(_ id: ConversationID, after seq: Int64, limit: Int, includePrivate: Bool) async throws -> [ChatMessage] {
        let query = scope.query(MessageModel.self).filter(\.$conversationID == id.uuid).filter(\.$seq > seq)
        if !includePrivate { query.filter(\.$isPrivate == false) }
        return try await withAttachments(try await query.sort(\.$seq).limit(limit).all().map { try $0.record() })
    }

    func messages(_ id: ConversationID, before seq: Int64, limit: Int, includePrivate: Bool) async throws -> [ChatMessage] {
        let query = scope.query(MessageModel.self).filter(\.$conversationID == id.uuid).filter(\.$seq < seq)
        if !includePrivate { query.filter(\.$isPrivate == false) }
        return try await withAttachments(
            try await query.sort(\.$seq, .descending).limit(limit).all().map { try $0.record() }.reversed())
    }
}
