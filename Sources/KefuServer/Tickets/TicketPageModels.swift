/// Typed content of the agents' ticket pages and the SLA and business-action settings.
extension PageModel {
    struct TicketList {
        struct View {
            var name: String
            var count: Int
            var href: String
            var active: Bool
            var shared: Bool
        }

        struct Row {
            var id: String
            var number: Int
            var subject: String
            var href: String
            var requester: String
            var status: String
            var statusKey: String
            var priority: String
            var urgent: Bool
            var assignee: String
            var sla: String?
            var slaBreached: Bool
            var updated: String
        }

        var views: [View]
        var rows: [Row]
        var total: Int
        var query: String
        var statuses: [Option]
        var priorities: [Option]
        var slaStates: [Option]
        var assignees: [Option]
        var filtered: Bool
        /// The current filters as hidden fields for "save as view".
        var filterFields: [Option]
        var canShareViews: Bool
        var bulkStatuses: [Option]
        var previous: String?
        var next: String?
        var pageLabel: String
        var error: String?
    }

    struct TicketNew {
        var subject: String
        var body: String
        var email: String
        var name: String
        var priorities: [Option]
        var error: String?
    }

    struct TicketDetail {
        struct Event {
            var kind: String
            var who: String
            var when: String
            var body: String?
            var change: String?
            var isNote: Bool
            var isRequester: Bool
            var isAlert: Bool
        }

        struct Clock {
            var metric: String
            var target: String
            var due: String?
            var state: String
            var met: Bool
            var breached: Bool
            var warned: Bool
        }

        var id: String
        var number: Int
        var subject: String
        var requester: String
        var requesterEmail: String?
        var source: String
        var created: String
        var conversation: String?
        var mergedInto: String?
        var statuses: [Option]
        var priorities: [Option]
        var types: [Option]
        var assignees: [Option]
        var teams: [Option]
        struct DeclaredField {
            var key: String
            var name: String
            var value: String
            /// `text`, `number` or `date` for an input; nil for a choice (`options`).
            var inputType: String?
            var options: [Option]
        }

        var tags: String
        var declared: [DeclaredField]
        var fieldsText: String
        var clocks: [Clock]
        var events: [Event]
        var updateAction: String
        var commentAction: String
        var mergeAction: String
        var closed: Bool
        var portalLink: String?
        var error: String?
    }

    struct SLAPolicies {
        struct Row {
            var name: String
            var team: String
            var hours: String
            var targets: String
            var enabled: Bool
            var edit: String
        }

        var policies: [Row]
        var webhookURL: String
        var webhookError: String?
        var canEdit: Bool
        var canWebhook: Bool
    }

    struct SLAPolicyEditor {
        struct Target {
            var priority: String
            var label: String
            var firstResponse: String
            var resolution: String
        }

        var isNew: Bool
        var action: String
        var deleteAction: String?
        var name: String
        var teams: [Option]
        var businessHours: Bool
        var warnBefore: Int
        var targets: [Target]
        var enabled: Bool
        var error: String?
        var canEdit: Bool
    }

    struct Actions {
        struct Row {
            var name: String
            var method: String
            var url: String
            var enabled: Bool
            var edit: String
        }

        var actions: [Row]
        var allowlist: String
        var secret: String?
        var error: String?
    }

    struct ActionEditor {
        struct Call {
            var when: String
            var outcome: String
            var ok: Bool
            var status: String
            var duration: Int
            var error: String
        }

        struct TestInput {
            var name: String
            var kind: String
            var value: String
        }

        struct TestResult {
            var outcome: String
            var ok: Bool
            var status: String
            var duration: Int
            var error: String?
            var values: [Option]
            var reply: String?
        }

        var isNew: Bool
        var action: String
        var deleteAction: String?
        var testAction: String?
        var name: String
        var methods: [Option]
        var url: String
        var headers: String
        var secretHeaders: String
        var inputs: String
        var mapping: String
        var replyZh: String
        var replyEn: String
        var timeout: Int
        var enabled: Bool
        var testInputs: [TestInput]
        var result: TestResult?
        var calls: [Call]
        var error: String?
    }
}
