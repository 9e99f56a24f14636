import Foundation
import KefuCore
import KefuStore

/// Installs a scenario template into a workspace in one transaction. What the workspace already has (a category
/// key, an intent label, a phrase, an FAQ question, an article title, an action's name) is kept as it is; installing
/// twice adds nothing the second time. The template's actions arrive switched off, pointing at example endpoints.
public struct TemplateService: Sendable {
    let store: Store
    let clock: WallClock
    let runtime: BotRuntime
    let catalog: TemplateCatalog

    struct Installed: Codable, Sendable, Equatable {
        var template: String
        var categories = 0
        var intents = 0
        var phrases = 0
        var faqs = 0
        var articles = 0
        var flows = 0
        var actions = 0
    }

    var templates: [ScenarioTemplate] { catalog.templates }

    func install(_ actor: Identity, template id: String) async throws -> Installed {
        try await install(template: id, into: actor.workspace.id, by: actor.user.id)
    }

    func install(template id: String, into workspace: WorkspaceID, by user: UserID?) async throws -> Installed {
        let template = try catalog.template(id)
        let installed = try await store.scoped(to: workspace).transaction { [clock] data in
            try await Self.install(template, data: data, by: user, at: clock.now())
        }
        await runtime.changed(workspace)
        return installed
    }

    private static func install(_ template: ScenarioTemplate, data: WorkspaceData, by user: UserID?, at now: Date) async throws
        -> Installed
    {
        var installed = Installed(template: template.id)
        var categories = Dictionary(
            try await data.knowledge.categories().map { ($0.key, $0.id) }, uniquingKeysWith: { a, _ in a })
        for (position, category) in template.manifest.categories.enumerated() where categories[category.key] == nil {
            categories[category.key] =
                try await data.knowledge.createCategory(
                    key: category.key, nameEN: category.name.en, nameZH: category.name.zh, position: position, at: now
                ).id
            installed.categories += 1
        }
        var intents = Dictionary(try await data.bot.intents().map { ($0.label, $0.id) }, uniquingKeysWith: { a, _ in a })
        var manifestIntents = template.manifest.intents.map { ($0.label, $0.name.en, $0.name.zh, $0.flow) }
        if let oos = template.manifest.outOfScopeLabel {
            manifestIntents.append((oos, "Out of scope", "范围之外", nil))
        }
        for (label, en, zh, flow) in manifestIntents where intents[label] == nil {
            intents[label] = try await data.bot.createIntent(label: label, nameEN: en, nameZH: zh, flow: flow, at: now).id
            installed.intents += 1
        }
        installed.phrases = try await data.bot.addPhrases(
            template.phrases.compactMap { phrase in
                intents[phrase.label].map { (intent: $0, text: phrase.text, locale: phrase.locale) }
            }, source: .template, at: now)
        let existingQuestions = Set(try await data.knowledge.faqs(locale: nil).flatMap { $0.questions.map { $0.lowercased() } })
        for faq in template.faqs where !faq.questions.contains(where: { existingQuestions.contains($0.lowercased()) }) {
            _ = try await data.knowledge.createFAQ(
                questions: faq.questions, answer: faq.answer, intent: faq.intent, locale: faq.locale, at: now)
            installed.faqs += 1
        }
        let existingTitles = Set(
            try await data.knowledge.articles(ArticleFilter(), offset: 0, limit: 10_000).map {
                "\($0.locale.rawValue):\($0.title)"
            })
        for article in template.articles {
            var first: ArticleID?
            for locale in [ContentLocale.zhCN, .en] {
                guard let translation = article.translations[locale.rawValue],
                    !existingTitles.contains("\(locale.rawValue):\(translation.title)")
                else { continue }
                let draft = ArticleDraft(
                    title: translation.title, body: translation.body, locale: locale, status: .published,
                    categoryID: categories[article.category], translationOf: first)
                let created = try await data.knowledge.createArticle(draft, by: user, at: now)
                first = first ?? created.id
                installed.articles += 1
            }
        }
        for (flowID, definition) in template.flows {
            try await data.bot.saveFlow(id: flowID, definition: definition, at: now)
            installed.flows += 1
        }
        for action in template.manifest.actions ?? [] where try await data.actions.action(named: action.name) == nil {
            try await data.actions.insert(
                BusinessAction(
                    id: BusinessActionID(), workspaceID: data.workspaceID, name: action.name, method: action.method,
                    url: action.url, headers: [], inputs: action.inputs, mapping: action.mapping, reply: action.reply,
                    timeoutMilliseconds: BusinessAction.defaultTimeoutMilliseconds, enabled: false, createdAt: now,
                    updatedAt: now))
            installed.actions += 1
        }
        return installed
    }
}
