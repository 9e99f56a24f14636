import Foundation
import KefuCore

/// Every API path, defined once for routes, the contract test and links.
enum APIPath {
    static let health = "/health"
    static let ready = "/ready"
    static let metrics = "/metrics"
    static let base = "/api/v1"
    static let openAPI = "/api/v1/openapi.json"
    static let authToken = "/api/v1/auth/token"
    static let authInvitation = "/api/v1/auth/invitation"
    static let me = "/api/v1/me"
    static let workspace = "/api/v1/workspace"
    static let workspacePortal = "/api/v1/workspace/portal"
    static let members = "/api/v1/members"
    static let member = "/api/v1/members/:userID"
    static let invitations = "/api/v1/invitations"
    static let invitation = "/api/v1/invitations/:invitationID"
    static let tokens = "/api/v1/tokens"
    static let token = "/api/v1/tokens/:tokenID"
    static let auditEvents = "/api/v1/audit-events"
    static let teams = "/api/v1/teams"
    static let teamMembers = "/api/v1/teams/:teamID/members"
    static let teamMember = "/api/v1/teams/:teamID/members/:userID"
    static let memberRouting = "/api/v1/members/:userID/routing"
    static let queues = "/api/v1/queues"
    static let businessHours = "/api/v1/business-hours"
    static let outbox = "/api/v1/outbox"
    static let testClock = "/api/v1/test-clock"
    static let tickets = "/api/v1/tickets"
    static let ticketsBulk = "/api/v1/ticket-updates"
    static let ticket = "/api/v1/tickets/:ticketID"
    static let ticketComments = "/api/v1/tickets/:ticketID/comments"
    static let ticketMerge = "/api/v1/tickets/:ticketID/merge"
    static let ticketViews = "/api/v1/ticket-views"
    static let ticketView = "/api/v1/ticket-views/:ticketViewID"
    static let ticketFields = "/api/v1/ticket-fields"
    static let ticketField = "/api/v1/ticket-fields/:ticketFieldID"
    static let slaPolicies = "/api/v1/sla-policies"
    static let slaPolicy = "/api/v1/sla-policies/:slaPolicyID"
    static let actions = "/api/v1/actions"
    static let action = "/api/v1/actions/:actionID"
    static let actionTest = "/api/v1/actions/:actionID/test"
    static let actionCalls = "/api/v1/actions/:actionID/calls"
    static let deliveries = "/api/v1/deliveries"
    static let delivery = "/api/v1/deliveries/:deliveryID"
    static let deliveryRetry = "/api/v1/deliveries/:deliveryID/retry"
    static let deliveryTestEmail = "/api/v1/email-tests"
    static let emailSettings = "/api/v1/email-settings"
    static let actionSettings = "/api/v1/action-settings"
    static let kbArticles = "/api/v1/kb/articles"
    static let kbArticle = "/api/v1/kb/articles/:articleID"
    static let kbArticleRevisions = "/api/v1/kb/articles/:articleID/revisions"
    static let kbArticleRestore = "/api/v1/kb/articles/:articleID/revisions/:revisionID/restore"
    static let kbPreview = "/api/v1/kb/preview"
    static let kbCategories = "/api/v1/kb/categories"
    static let kbCategory = "/api/v1/kb/categories/:categoryID"
    static let kbFAQs = "/api/v1/kb/faqs"
    static let kbFAQ = "/api/v1/kb/faqs/:faqID"
    static let kbExport = "/api/v1/kb/export"
    static let kbImport = "/api/v1/kb/import"
    static let kbExportFAQs = "/api/v1/kb/export/faqs.csv"
    static let kbImportFAQs = "/api/v1/kb/import/faqs"
    static let portalSearch = "/api/v1/portal/:slug/search"
    static let portalVote = "/api/v1/portal/:slug/articles/:articleID/vote"
    static let portalTickets = "/api/v1/portal/:slug/tickets"
    static let portalTicket = "/api/v1/portal/:slug/tickets/:token"
    static let portalTicketReplies = "/api/v1/portal/:slug/tickets/:token/replies"
    static let portalDeflections = "/api/v1/portal/:slug/deflections"
    static let botAsk = "/api/v1/bot/ask"
    static let conversations = "/api/v1/conversations"
    static let conversation = "/api/v1/conversations/:conversationID"
    static let conversationMessages = "/api/v1/conversations/:conversationID/messages"
    static let conversationTake = "/api/v1/conversations/:conversationID/take"
    static let conversationAssign = "/api/v1/conversations/:conversationID/assign"
    static let conversationResolve = "/api/v1/conversations/:conversationID/resolve"
    static let conversationReopen = "/api/v1/conversations/:conversationID/reopen"
    static let conversationTicket = "/api/v1/conversations/:conversationID/ticket"
    static let conversationAttachments = "/api/v1/conversations/:conversationID/attachments"
    static let messageSearch = "/api/v1/search/messages"
    static let cannedReplies = "/api/v1/canned-replies"
    static let cannedReply = "/api/v1/canned-replies/:cannedReplyID"
    static let sensitiveWords = "/api/v1/sensitive-words"
    static let sensitiveWord = "/api/v1/sensitive-words/:sensitiveWordID"
    static let contacts = "/api/v1/contacts"
    static let contact = "/api/v1/contacts/:contactID"
    static let contactMerge = "/api/v1/contacts/:contactID/merge"
    static let presence = "/api/v1/presence"
    static let myPresence = "/api/v1/me/presence"
    static let widgetAttachments = "/api/v1/widget/:widgetKey/attachments"
    static let widget = "/api/v1/widget/:widgetKey"
    static let botTrain = "/api/v1/bot/train"
    static let botModels = "/api/v1/bot/models"
    static let botModelActivate = "/api/v1/bot/models/:modelID/activate"
    static let botIntents = "/api/v1/bot/intents"
    static let botIntent = "/api/v1/bot/intents/:intentID"
    static let botIntentPhrases = "/api/v1/bot/intents/:intentID/phrases"
    static let botIntentTeam = "/api/v1/bot/intents/:intentID/team"
    static let botPhrase = "/api/v1/bot/phrases/:phraseID"
    static let botTemplates = "/api/v1/bot/templates"
    static let botTemplateInstall = "/api/v1/bot/templates/:templateID/install"
    static let job = "/api/v1/jobs/:jobID"
}

/// Every page URL, defined once for routes, redirects and templates (which read them as `{{links.name}}`).
enum WebPath {
    static let root = "/"
    static let login = "/login"
    static let logout = "/logout"
    static let app = "/app"
    static let tickets = "/app/tickets"
    static let knowledgeBase = "/app/kb"
    static let reports = "/app/reports"
    static let settings = "/app/settings"
    static let settingsWorkspace = "/app/settings/workspace"
    static let settingsPortal = "/app/settings/workspace/portal"
    static let settingsMembers = "/app/settings/members"
    static let settingsInvite = "/app/settings/members/invite"
    static let settingsMemberRole = "/app/settings/members/:userID/role"
    static let settingsMemberRouting = "/app/settings/members/:userID/routing"
    static let settingsMemberRemove = "/app/settings/members/:userID/remove"
    static let settingsInvitationRevoke = "/app/settings/invitations/:invitationID/revoke"
    static let settingsTokens = "/app/settings/tokens"
    static let settingsTokenRevoke = "/app/settings/tokens/:tokenID/revoke"
    static let settingsAudit = "/app/settings/audit"
    static let settingsCannedReplies = "/app/settings/canned-replies"
    static let settingsCannedReplyDelete = "/app/settings/canned-replies/:cannedReplyID/delete"
    static let settingsSensitiveWords = "/app/settings/sensitive-words"
    static let settingsBusinessHours = "/app/settings/business-hours"
    static let settingsSensitiveWordDelete = "/app/settings/sensitive-words/:sensitiveWordID/delete"
    static let ticketNew = "/app/tickets/new"
    static let ticketBulk = "/app/tickets/bulk"
    static let ticketViewSave = "/app/tickets/views"
    static let ticket = "/app/tickets/:ticketID"
    static let ticketComment = "/app/tickets/:ticketID/comments"
    static let ticketMerge = "/app/tickets/:ticketID/merge"
    static let settingsSLA = "/app/settings/sla"
    static let settingsSLANew = "/app/settings/sla/new"
    static let settingsSLAPolicy = "/app/settings/sla/:slaPolicyID"
    static let settingsSLAPolicyDelete = "/app/settings/sla/:slaPolicyID/delete"
    static let settingsSLAWebhook = "/app/settings/sla/webhook"
    static let settingsActions = "/app/settings/actions"
    static let settingsTicketFields = "/app/settings/ticket-fields"
    static let settingsTicketFieldDelete = "/app/settings/ticket-fields/:ticketFieldID/delete"
    static let settingsActionNew = "/app/settings/actions/new"
    static let settingsAction = "/app/settings/actions/:actionID"
    static let settingsActionTest = "/app/settings/actions/:actionID/test"
    static let settingsActionDelete = "/app/settings/actions/:actionID/delete"
    static let settingsActionSecurity = "/app/settings/actions/security"
    static let settingsDeliveries = "/app/settings/deliveries"
    static let settingsDeliveryRetry = "/app/settings/deliveries/:deliveryID/retry"
    static let settingsDeliveryTest = "/app/settings/deliveries/test-email"
    static let settingsEmail = "/app/settings/email"
    static let settingsEmailClear = "/app/settings/email/clear"
    static let invite = "/invite/:token"
    static let portal = "/help/:slug"
    static let portalArticle = "/help/:slug/articles/:articleID"
    static let portalCategory = "/help/:slug/categories/:categoryKey"
    static let portalTicketForm = "/help/:slug/tickets/new"
    static let portalTicketStatus = "/help/:slug/tickets/:token"
    static let kbArticleNew = "/app/kb/articles/new"
    static let kbArticleEdit = "/app/kb/articles/:articleID"
    static let kbArticleRestoreForm = "/app/kb/articles/:articleID/revisions/:revisionID/restore"
    static let kbFAQs = "/app/kb/faqs"
    static let kbFAQEdit = "/app/kb/faqs/:faqID"
    static let kbFAQDelete = "/app/kb/faqs/:faqID/delete"
    static let bot = "/app/bot"
    static let botTry = "/app/bot/try"
    static let botIntents = "/app/bot/intents"
    static let botIntent = "/app/bot/intents/:intentID"
    static let botIntentPhrases = "/app/bot/intents/:intentID/phrases"
    static let botIntentTeam = "/app/bot/intents/:intentID/team"
    static let botPhraseDelete = "/app/bot/phrases/:phraseID/delete"
    static let botTeach = "/app/bot/try/teach"
    static let botModels = "/app/bot/models"
    static let botTrain = "/app/bot/models/train"
    static let botModelActivate = "/app/bot/models/:modelID/activate"
    static let botTemplates = "/app/bot/templates"
    static let botTemplateInstall = "/app/bot/templates/:templateID/install"
    static let widgetSocket = "/ws/v1/widget"
    static let agentSocket = "/ws/v1/agent"
    static let stylesheet = "/static/kefu.css"
    static let script = "/static/kefu.js"
    static let widgetScript = "/static/widget.js"
    static let widgetStyle = "/static/widget.css"
    static let consoleScript = "/static/console.js"
    static let consoleToolsScript = "/static/console-tools.js"
    static let demoShop = "/demo"
    static let attachmentFile = "/files/:workspaceID/:attachmentID/:token"

    static func file(_ path: String) -> String { "/files/" + path }

    static func memberRole(_ id: UserID) -> String { fill(settingsMemberRole, id.description) }
    static func memberRouting(_ id: UserID) -> String { fill(settingsMemberRouting, id.description) }
    static func memberRemove(_ id: UserID) -> String { fill(settingsMemberRemove, id.description) }
    static func tokenRevoke(_ id: TokenID) -> String { fill(settingsTokenRevoke, id.description) }
    static func cannedReplyDelete(_ id: CannedReplyID) -> String { fill(settingsCannedReplyDelete, id.description) }
    static func sensitiveWordDelete(_ id: SensitiveWordID) -> String { fill(settingsSensitiveWordDelete, id.description) }
    static func invitationRevoke(_ id: InvitationID) -> String { fill(settingsInvitationRevoke, id.description) }
    static func invite(_ token: String) -> String { fill(invite, token) }
    static func portal(_ slug: String) -> String { fill(portal, slug) }
    static func portalArticle(_ slug: String, _ id: ArticleID) -> String { fill(portalArticle, slug, id.description) }
    static func portalCategory(_ slug: String, _ key: String) -> String { fill(portalCategory, slug, key) }
    static func portalTicketForm(_ slug: String) -> String { fill(portalTicketForm, slug) }
    static func deliveryRetry(_ id: DeliveryID) -> String { fill(settingsDeliveryRetry, id.description) }
    static func portalTicketStatus(_ slug: String, _ token: String) -> String { fill(portalTicketStatus, slug, token) }
    static func kbArticleEdit(_ id: ArticleID) -> String { fill(kbArticleEdit, id.description) }
    static func kbArticleRestore(_ id: ArticleID, _ revision: RevisionID) -> String {
        fill(kbArticleRestoreForm, id.description, revision.description)
    }
    static func kbFAQEdit(_ id: FAQID) -> String { fill(kbFAQEdit, id.description) }
    static func kbFAQDelete(_ id: FAQID) -> String { fill(kbFAQDelete, id.description) }
    static func botIntent(_ id: IntentID) -> String { fill(botIntent, id.description) }
    static func botIntentPhrases(_ id: IntentID) -> String { fill(botIntentPhrases, id.description) }
    static func botIntentTeam(_ id: IntentID) -> String { fill(botIntentTeam, id.description) }
    static func botPhraseDelete(_ id: PhraseID) -> String { fill(botPhraseDelete, id.description) }
    static func botModelActivate(_ id: BotModelID) -> String { fill(botModelActivate, id.description) }
    static func botTemplateInstall(_ id: String) -> String { fill(botTemplateInstall, id) }
    static func ticket(_ id: TicketID) -> String { fill(ticket, id.description) }
    static func ticketComment(_ id: TicketID) -> String { fill(ticketComment, id.description) }
    static func ticketMerge(_ id: TicketID) -> String { fill(ticketMerge, id.description) }
    static func slaPolicy(_ id: SLAPolicyID) -> String { fill(settingsSLAPolicy, id.description) }
    static func slaPolicyDelete(_ id: SLAPolicyID) -> String { fill(settingsSLAPolicyDelete, id.description) }
    static func action(_ id: BusinessActionID) -> String { fill(settingsAction, id.description) }
    static func ticketFieldDelete(_ id: TicketFieldID) -> String { fill(settingsTicketFieldDelete, id.description) }
    static func actionTest(_ id: BusinessActionID) -> String { fill(settingsActionTest, id.description) }
    static func actionDelete(_ id: BusinessActionID) -> String { fill(settingsActionDelete, id.description) }

    /// Puts `values` in place of the path's parameters, in order.
    private static func fill(_ path: String, _ values: String...) -> String {
        var remaining = values[...]
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .map { segment in
                guard segment.hasPrefix(":"), let value = remaining.popFirst() else { return String(segment) }
                return value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? value
            }.joined(separator: "/")
    }

    /// The fixed page URLs templates link to.
    static let links: [String: String] = [
        "root": root, "login": login, "logout": logout, "app": app, "tickets": tickets, "kb": knowledgeBase,
        "reports": reports, "settings_workspace": settingsWorkspace, "settings_portal": settingsPortal,
        "settings_members": settingsMembers,
        "settings_invite": settingsInvite, "settings_tokens": settingsTokens, "settings_audit": settingsAudit,
        "stylesheet": stylesheet, "script": script, "kb_new": kbArticleNew, "kb_faqs": kbFAQs, "bot": bot,
        "bot_try": botTry, "bot_intents": botIntents, "bot_models": botModels, "bot_train": botTrain,
        "bot_templates": botTemplates, "console_script": consoleScript, "console_tools_script": consoleToolsScript,
        "settings_canned": settingsCannedReplies, "settings_words": settingsSensitiveWords,
        "settings_hours": settingsBusinessHours, "ticket_new": ticketNew, "ticket_bulk": ticketBulk,
        "ticket_view_save": ticketViewSave, "settings_sla": settingsSLA, "settings_sla_new": settingsSLANew,
        "settings_sla_webhook": settingsSLAWebhook,
        "settings_actions": settingsActions, "settings_ticket_fields": settingsTicketFields,
        "settings_action_new": settingsActionNew,
        "settings_action_security": settingsActionSecurity,
        "settings_deliveries": settingsDeliveries, "settings_delivery_test": settingsDeliveryTest,
        "settings_email": settingsEmail, "settings_email_clear": settingsEmailClear,
    ]
}
