import KefuCore

extension PageModel.Option {
    /// The content languages as a select's options.
    static func contentLocales(selected: ContentLocale) -> [PageModel.Option] {
        ContentLocale.allCases.map { .init(value: $0.rawValue, label: $0 == .zhCN ? "中文" : "English", selected: $0 == selected) }
    }
}

/// Typed content of the knowledge-base, bot and portal pages.
extension PageModel {
    struct KBList {
        struct Row {
            var title: String
            var locale: String
            var status: String
            var published: Bool
            var updated: String
            var edit: String
            var view: String?
        }

        var articles: [Row]
        var portal: String
        var canEdit: Bool
    }

    struct ArticleEditor {
        struct Revision {
            var version: Int
            var title: String
            var when: String
            var restore: String
            var current: Bool
        }

        var isNew: Bool
        var action: String
        var id: String
        var title: String
        var body: String
        var html: String
        var version: Int
        /// The same as `version`, under a name the revisions list can reach (inside it `version` is the revision's).
        var articleVersion: Int
        var locales: [Option]
        var statuses: [Option]
        var categories: [Option]
        var revisions: [Revision]
        var translations: [Option]
        /// Set from `translations`: templates see stored properties only.
        var hasTranslations = false
        var portalURL: String?
        var error: String?
        var canEdit: Bool
    }

    struct FAQList {
        struct Row {
            var question: String
            var more: Int
            var answer: String
            var locale: String
            var intent: String
            var edit: String
        }

        var faqs: [Row]
        var locales: [Option]
        var canEdit: Bool
        var error: String?
    }

    struct FAQEditor {
        var action: String
        var questions: String
        var answer: String
        var intent: String
        var version: Int
        var locales: [Option]
        var deleteAction: String
        var error: String?
    }

    struct TryBot {
        struct Source {
            var title: String
            var snippet: String
            var score: String
            var link: String?
        }

        struct Intent {
            var label: String
            var percent: String
        }

        var text: String
        var asked: Bool
        var decision: String
        var answer: String?
        var sources: [Source]
        var intents: [Intent]
        var reasons: String
        var sentiment: String
        var intentOptions: [Option]
        var addAction: String
        var locales: [Option]
        var canTeach: Bool
        var error: String?
    }

    struct Intents {
        struct Row {
            var label: String
            var name: String
            var phrases: Int
            var thin: Bool
            var link: String
            var flow: String?
        }

        var intents: [Row]
        var canEdit: Bool
        var error: String?
    }

    struct IntentDetail {
        struct Phrase {
            var text: String
            var locale: String
            var source: String
            var delete: String
        }

        var label: String
        var name: String
        var phrases: [Phrase]
        var addAction: String
        var locales: [Option]
        var canEdit: Bool
        var error: String?
        /// Where its hand-offs go: the workspace's teams, the first option meaning the default team.
        var teams: [Option] = []
        var teamAction: String = ""
    }

    struct Models {
        struct Row {
            var id: String
            var version: Int
            var active: Bool
            var accuracy: String
            var macroF1: String
            var phrases: Int
            var intents: Int
            var created: String
            var activate: String
        }

        struct Score {
            var label: String
            var f1: String
            var phrases: Int
        }

        struct Confusion {
            var expected: String
            var predicted: String
            var count: Int
        }

        var models: [Row]
        var job: String?
        var jobFailed: String?
        var scores: [Score]
        var confusions: [Confusion]
        var hasReport = false
        var thin: String?
        var canEdit: Bool
        var error: String?
    }

    struct Templates {
        struct Card {
            var id: String
            var name: String
            var description: String
            var intents: Int
            var phrases: Int
            var faqs: Int
            var articles: Int
            var install: String
        }

        var templates: [Card]
        var canEdit: Bool
        var installed: String?
    }

    struct Portal {
        struct Link {
            var title: String
            var href: String
        }

        struct Category {
            var name: String
            var articles: [Link]
        }

        struct Result {
            var title: String
            var snippet: String
            var href: String
        }

        var workspace: String
        var slug: String
        var brand: String
        var locale: String
        var home: String
        var switchLabel: String
        var switchHref: String
        var query: String
        var searched: Bool
        var results: [Result]
        var categories: [Category]
        var contact: [Link]
        /// The "still need help?" form.
        var newTicket: String
    }

    struct PortalHome {
        var portal: Portal
        var title: String
    }

    struct PortalArticle {
        var portal: Portal
        var id: String
        var title: String
        var html: String
        var updated: String
        var related: [Portal.Link]
        var hasRelated = false
        var voteURL: String
    }
}
