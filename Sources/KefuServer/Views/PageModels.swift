/// The typed content of each page, one struct per template; property names are what the template reads.
enum PageModel {
    struct Login {
        var title: String
        var csrf: String
        var next: String
        var email: String?
        var workspace: String?
        var error: String?
    }

    struct Invite {
        var title: String
        var csrf: String
        var workspace: String
        var email: String
        var roleLabel: String
        var action: String
        /// Set when a signed-in user whose e-mail the invitation names opens it: one click joins.
        var signedInAs: String?
        var signInLink: String
        var error: String?
    }

    struct Error {
        var title: String
        var status: Int
        var message: String
    }

    struct Section {
        var heading: String
        var intro: String
    }

    struct Option {
        var value: String
        var label: String
        var selected: Bool
        var isAgent = false
    }

    struct Workspace {
        struct Team {
            var name: String
        }

        struct Portal {
            var brandColor: String
            var supportEmail: String
            var supportPhone: String
            var link: String
        }

        var workspace: ShellFrame.WorkspaceSummary
        var locales: [Option]
        var teams: [Team]
        var portal: Portal
    }

    struct Members {
        struct Row {
            var id: String
            var name: String
            var email: String
            var roleLabel: String
            var editable: Bool
            var roles: [Option]
            var roleAction: String
            var joined: String
            var joinedDisplay: String
            var routingAction: String
            var maxChats: Int
            var load: String
            var skills: String
            var speaksChinese: Bool
            var speaksEnglish: Bool
        }

        struct Pending {
            var email: String
            var roleLabel: String
            var expires: String
            var expiresDisplay: String
            var revokeAction: String
        }

        var members: [Row]
        var assignable: [Option]
        var inviteLink: String?
        var pending: [Pending]
        var hasPending: Bool
    }

    struct CannedReplies {
        struct Row {
            var shortcut: String
            var body: String
            var shared: Bool
            var deleteAction: String?
        }

        var replies: [Row]
        var canShare: Bool
    }

    struct BusinessHours {
        struct Day {
            var key: String
            var name: String
            /// "09:00-12:00, 13:30-18:00"; empty when closed.
            var spans: String
        }

        var enabled: Bool
        var timeZone: String
        var zones: [String]
        var days: [Day]
        /// One "YYYY-MM-DD name" per line.
        var holidays: String
        var status: String
        var canEdit: Bool
    }

    struct SensitiveWords {
        struct Row {
            var word: String
            var action: String
            var deleteAction: String
        }

        var words: [Row]
    }

    struct Tokens {
        struct Row {
            var id: String
            var name: String
            var created: String
            var lastUsed: String
            var revoked: Bool
            var revokeAction: String
        }

        var tokens: [Row]
        var newToken: String?
    }

    struct Audit {
        struct Row {
            var at: String
            var atDisplay: String
            var actor: String
            var action: String
            var target: String
            var ip: String
            var before: String?
            var after: String?
        }

        var events: [Row]
        var nextPage: String?
    }
}
