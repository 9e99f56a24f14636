/// Every page URL, defined once for routes and links.
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
    static let settingsTokens = "/app/settings/tokens"
    static let settingsTokenRevoke = "/app/settings/tokens/:tokenID/revoke"
    static let settingsAudit = "/app/settings/audit"
    static let invite = "/invite/:token"
    static let stylesheet = "/static/kefu.css"
    static let script = "/static/kefu.js"

    static func memberRole(_ id: String) -> String { "/app/settings/members/\(id)/role" }
    static func memberRemove(_ id: String) -> String { "/app/settings/members/\(id)/remove" }
    static func tokenRevoke(_ id: String) -> String { "/app/settings/tokens/\(id)/revoke" }
    static func invite(_ token: String) -> String { "/invite/\(token)" }
}
