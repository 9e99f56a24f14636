import KefuCore

/// Every API path, defined once for routes, the contract test and links.
enum APIPath {
    static let health = "/health"
    static let ready = "/ready"
    static let metrics = "/metrics"
    static let base = "/api/v1"
    static let openAPI = "/api/v1/openapi.json"
    static let authToken = "/api/v1/auth/token"
    static let me = "/api/v1/me"
    static let workspace = "/api/v1/workspace"
    static let members = "/api/v1/members"
    static let member = "/api/v1/members/:userID"
    static let invitations = "/api/v1/invitations"
    static let invitation = "/api/v1/invitations/:invitationID"
    static let tokens = "/api/v1/tokens"
    static let token = "/api/v1/tokens/:tokenID"
    static let auditEvents = "/api/v1/audit-events"
    static let teams = "/api/v1/teams"
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
    static let settingsMembers = "/app/settings/members"
    static let settingsInvite = "/app/settings/members/invite"
    static let settingsMemberRole = "/app/settings/members/:userID/role"
    static let settingsMemberRemove = "/app/settings/members/:userID/remove"
    static let settingsInvitationRevoke = "/app/settings/invitations/:invitationID/revoke"
    static let settingsTokens = "/app/settings/tokens"
    static let settingsTokenRevoke = "/app/settings/tokens/:tokenID/revoke"
    static let settingsAudit = "/app/settings/audit"
    static let invite = "/invite/:token"
    static let stylesheet = "/static/kefu.css"
    static let script = "/static/kefu.js"

    static func memberRole(_ id: UserID) -> String { fill(settingsMemberRole, id.description) }
    static func memberRemove(_ id: UserID) -> String { fill(settingsMemberRemove, id.description) }
    static func tokenRevoke(_ id: TokenID) -> String { fill(settingsTokenRevoke, id.description) }
    static func invitationRevoke(_ id: InvitationID) -> String { fill(settingsInvitationRevoke, id.description) }
    static func invite(_ token: String) -> String { fill(invite, token) }

    /// Puts `value` in place of the path's one parameter.
    private static func fill(_ path: String, _ value: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? value : String($0) }.joined(separator: "/")
    }

    /// The fixed page URLs templates link to.
    static let links: [String: String] = [
        "root": root, "login": login, "logout": logout, "app": app, "tickets": tickets, "kb": knowledgeBase,
        "reports": reports, "settings_workspace": settingsWorkspace, "settings_members": settingsMembers,
        "settings_invite": settingsInvite, "settings_tokens": settingsTokens, "settings_audit": settingsAudit,
        "stylesheet": stylesheet, "script": script,
    ]
}
