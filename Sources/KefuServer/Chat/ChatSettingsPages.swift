import Foundation
import Hummingbird
import KefuCore

/// Settings → Canned replies (every agent: their own, and the workspace's for supervisors and above) and
/// Settings → Sensitive words (supervisors and above).
struct ChatSettingsPages {
    let replies: CannedReplyService
    let words: SensitiveWordService
    let conversations: ConversationService
    let renderer: PageRenderer

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.settingsCannedReplies, .replyConversations, use: cannedReplies)
        routes.on(.post, WebPath.settingsCannedReplies, .replyConversations, use: addReply)
        routes.on(.post, WebPath.settingsCannedReplyDelete, .replyConversations, use: deleteReply)
        routes.on(.get, WebPath.settingsSensitiveWords, .manageChatSettings, use: sensitiveWords)
        routes.on(.post, WebPath.settingsSensitiveWords, .manageChatSettings, use: addWord)
        routes.on(.post, WebPath.settingsSensitiveWordDelete, .manageChatSettings, use: deleteWord)
    }

    @Sendable func cannedReplies(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let identity = context.identity
        let canShare = identity.can(.manageChatSettings)
        let rows = try await replies.list(identity, prefix: nil, conversation: nil, conversations: conversations).map {
            reply, _ in
            PageModel.CannedReplies.Row(
                shortcut: "/" + reply.shortcut, body: reply.body, shared: reply.ownerID == nil,
                deleteAction: reply.ownerID == identity.user.id || (reply.ownerID == nil && canShare)
                    ? WebPath.cannedReplyDelete(reply.id) : nil)
        }
        return page.render(
            .cannedReplies, PageModel.CannedReplies(replies: rows, canShare: canShare),
            title: renderer.text("settings", "canned", page.locale), nav: "settings", sub: "canned",
            flashKey: ShellPage.flash(request))
    }

    @Sendable func addReply(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        _ = try await replies.create(
            context.identity, shared: form["shared"] == "on", shortcut: form["shortcut"] ?? "", body: form["body"] ?? "")
        return .redirect(to: WebPath.settingsCannedReplies + "?flash=reply_saved")
    }

    @Sendable func deleteReply(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("cannedReplyID", as: CannedReplyID.self)
        try await replies.delete(context.identity, id)
        return .redirect(to: WebPath.settingsCannedReplies + "?flash=reply_deleted")
    }

    @Sendable func sensitiveWords(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let rows = try await words.list(context.identity).map {
            PageModel.SensitiveWords.Row(
                word: $0.word, action: renderer.text("words", Self.actionKey($0.action), page.locale),
                deleteAction: WebPath.sensitiveWordDelete($0.id))
        }
        return page.render(
            .sensitiveWords, PageModel.SensitiveWords(words: rows),
            title: renderer.text("settings", "words", page.locale), nav: "settings", sub: "words",
            flashKey: ShellPage.flash(request))
    }

    @Sendable func addWord(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        guard let action = form["action"].flatMap(SensitiveWordAction.init(rawValue:)) else {
            throw DomainError.invalid(ValidationErrors("action", .oneOf(SensitiveWordAction.allCases.map(\.rawValue))))
        }
        _ = try await words.add(context.identity, word: form["word"] ?? "", action: action, ip: context.clientIP)
        return .redirect(to: WebPath.settingsSensitiveWords + "?flash=word_saved")
    }

    @Sendable func deleteWord(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("sensitiveWordID", as: SensitiveWordID.self)
        try await words.delete(context.identity, id, ip: context.clientIP)
        return .redirect(to: WebPath.settingsSensitiveWords + "?flash=word_deleted")
    }

    static func actionKey(_ action: SensitiveWordAction) -> String {
        switch action {
        case .flag: "action_flag"
        case .mask: "action_mask"
        case .block: "action_block"
        }
    }
}
