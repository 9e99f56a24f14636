import Foundation
import KefuCore
import KefuStore
import Logging

/// Files and images in chat: each upload is one message (an image shows inline, any other file as a download). The
/// type is sniffed from the bytes; the name is cleaned; a resend with the same client id is stored once.
extension ConversationService {
    struct Upload: Sendable {
        var fileName: String
        var bytes: [UInt8]
        var clientID: String?
    }

    /// An agent's file, to the customer or (`isPrivate`) as a note to other agents.
    func agentUpload(_ actor: Identity, _ id: ConversationID, _ upload: Upload, isPrivate: Bool) async throws
        -> AppendResult
    {
        _ = try await conversation(actor, id)
        let clientID = try Self.clientID(upload.clientID)
        let (file, message) = try await checked(
            upload, clientID: clientID, conversation: id, sender: .agent, workspace: actor.workspace.id,
            isPrivate: isPrivate)
        var sent = message
        sent.senderID = actor.user.id
        sent.isPrivate = isPrivate
        let outgoing = sent
        let result = try await storing(file, upload.bytes, workspace: actor.workspace.id) { stored in
            try await self.store.scoped(to: actor.workspace.id).transaction { [clock] data in
                if try await data.conversations.lock(id).status == .resolved && !isPrivate {
                    throw DomainError.conflict(.conversationClosed)
                }
                try await data.conversations.addAttachment(stored, storageKey: stored.path)
                let appended = try await data.conversations.append(id, outgoing, at: clock.now())
                try ResentUpload.check(appended, outgoing)
                return appended
            }
        }
        if result.isNew { publish(actor.workspace.id, .message(result.message, result.conversation)) }
        return result
    }

    /// A customer's file from the widget; starts a conversation when they have none open. In a conversation the bot
    /// holds, the bot's turn follows: it cannot read files, so it hands the conversation to people.
    func customerUpload(
        _ visitor: Visitor, _ id: ConversationID?, _ upload: Upload, locale: ContentLocale, logger: Logger
    ) async throws -> AppendResult {
        let clientID = try Self.requiredClientID(upload.clientID)
        let target = try await targetConversation(visitor, id, locale: locale)
        let (file, message) = try await checked(
            upload, clientID: clientID, conversation: target.id, sender: .customer, workspace: visitor.workspace.id)
        let result = try await storing(file, upload.bytes, workspace: visitor.workspace.id) { stored in
            try await self.customerAppend(visitor, target.id, message) { data in
                try await data.conversations.addAttachment(stored, storageKey: stored.path)
            }
        }
        await botTurn(visitor, after: result, .file, logger: logger)
        return result
    }

    /// Validates the upload: a name, a size within the limit, a type we accept. The name is published text: an
    /// agent's shared file name is masked or refused like their messages, a customer's is flagged.
    private func checked(
        _ upload: Upload, clientID: String?, conversation: ConversationID, sender: SenderKind, workspace: WorkspaceID,
        isPrivate: Bool = false
    ) async throws -> (ChatAttachment, NewMessage) {
        let cleaned = AttachmentFiles.cleanName(upload.fileName)
        guard !cleaned.isEmpty else { throw DomainError.invalid(ValidationErrors("name", .required)) }
        let (name, flags) =
            isPrivate
            ? (cleaned, [])
            : try await words.screen(workspace, cleaned, by: sender == .agent ? .agent : .customer, field: "name")
        guard !upload.bytes.isEmpty else { throw DomainError.invalid(ValidationErrors("file", .required)) }
        guard upload.bytes.count <= files.maxBytes else { throw APIError.bodyTooLarge }
        guard let type = ContentSniffer.contentType(of: upload.bytes) else { throw APIError.unsupportedMediaType }
        let file = ChatAttachment(
            id: AttachmentID(UUID()), conversationID: conversation, fileName: name, contentType: type,
            size: upload.bytes.count, sha256: "", createdAt: clock.now())
        let kind: MessageKind = ContentSniffer.isInlineImage(type) ? .image : .file
        return (
            file, NewMessage(clientID: clientID, sender: sender, kind: kind, body: name, attachmentID: file.id, flags: flags)
        )
    }

    /// Stores the file, then runs `body` with the attachment (its storage key in `path`). The same bytes already sent
    /// into the conversation are not stored again (the new attachment shares the file); a new file must fit the
    /// workspace's quota (507 `storage_full`). When the message turns out to be a resend, or anything fails, a file
    /// this call wrote is removed again (never a shared one).
    private func storing(
        _ file: ChatAttachment, _ bytes: [UInt8], workspace: WorkspaceID,
        _ body: @escaping @Sendable (ChatAttachment) async throws -> AppendResult
    ) async throws -> AppendResult {
        let data = store.scoped(to: workspace)
        var attachment = file
        attachment.sha256 = AttachmentFiles.digest(bytes)
        if let same = try await data.conversations.attachment(
            conversation: file.conversationID, sha256: attachment.sha256, size: bytes.count)
        {
            attachment.path = same.storageKey
            do { return try await body(attachment) } catch let resent as ResentUpload { return resent.earlier }
        }
        if files.workspaceQuota > 0, try await data.conversations.attachmentBytes() + bytes.count > files.workspaceQuota {
            throw APIError.storageFull
        }
        let stored = try files.write(bytes, workspace: workspace.uuid)
        attachment.path = stored.storageKey
        do {
            return try await body(attachment)
        } catch let resent as ResentUpload {
            files.remove(stored.storageKey)
            return resent.earlier
        } catch {
            files.remove(stored.storageKey)
            throw error
        }
    }

    /// The file behind a public address, if the address is right: its workspace, id and token.
    func attachmentFile(workspace: WorkspaceID, id: AttachmentID, token: String) async throws -> (ChatAttachment, URL) {
        let (attachment, key) = try await store.scoped(to: workspace).conversations.attachment(id)
        guard let stored = key.split(separator: "/").last, Secrets.equal(String(stored), token) else {
            throw DomainError.notFound(.attachment)
        }
        return (attachment, files.url(key))
    }
}

/// A resent upload found its earlier copy: thrown inside the transaction so the new attachment row is rolled back.
struct ResentUpload: Error {
    let earlier: AppendResult

    static func check(_ appended: AppendResult, _ message: NewMessage) throws {
        if !appended.isNew && message.attachmentID != nil { throw ResentUpload(earlier: appended) }
    }
}
