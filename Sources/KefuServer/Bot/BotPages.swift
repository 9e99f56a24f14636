import Foundation
import Hummingbird
import KefuBot
import KefuCore

/// The bot's pages: try it, intents and phrases, models with their reports, templates.
struct BotPages {
    let bot: BotService
    let templates: TemplateService
    let renderer: PageRenderer

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.bot, .viewBot) { _, _ in Response.redirect(to: WebPath.botTry) }
        routes.on(.get, WebPath.botTry, .askBot, use: tryPage)
        routes.on(.post, WebPath.botTry, .askBot, use: ask)
        routes.on(.get, WebPath.botIntents, .viewBot, use: intents)
        routes.on(.post, WebPath.botIntents, .manageBot, use: createIntent)
        routes.on(.get, WebPath.botIntent, .viewBot, use: intent)
        routes.on(.post, WebPath.botIntentPhrases, .manageBot, use: addPhrase)
        routes.on(.post, WebPath.botIntentTeam, .manageBot, use: setTeam)
        routes.on(.post, WebPath.botTeach, .manageBot, use: teach)
        routes.on(.post, WebPath.botPhraseDelete, .manageBot, use: deletePhrase)
        routes.on(.get, WebPath.botModels, .viewBot, use: models)
        routes.on(.post, WebPath.botTrain, .manageBot, use: train)
        routes.on(.post, WebPath.botModelActivate, .manageBot, use: activate)
        routes.on(.get, WebPath.botTemplates, .viewBot, use: templateGallery)
        routes.on(.post, WebPath.botTemplateInstall, .manageBot, use: install)
    }

    private func message(_ error: any Error, _ locale: UILocale) -> String? {
        renderer.catalogues.formMessage(error, locale)
    }

    // MARK: try the bot

    private func renderTry(
        _ request: Request, _ context: AuthenticatedContext, text: String, decision: Decision?, error: String?
    ) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let intents = try await bot.intents(context.identity).map(\.0)
        var sources: [PageModel.TryBot.Source] = []
        for hit in decision?.sources ?? [] {
            let article = try await bot.sourceArticle(context.identity, id: hit.id)
            sources.append(
                .init(
                    title: hit.title,
                    snippet: hit.snippet.replacingOccurrences(of: "«", with: "").replacingOccurrences(of: "»", with: ""),
                    score: String(format: "%.1f", hit.score), link: article.map(WebPath.kbArticleEdit)))
        }
        let top = decision?.intents.first?.label
        let isChinese = text.unicodeScalars.contains { $0.value >= 0x2E80 }
        let content = PageModel.TryBot(
            text: text, asked: decision != nil, decision: decision?.kind.rawValue ?? "", answer: decision?.text,
            sources: sources,
            intents: (decision?.intents ?? []).map {
                .init(label: $0.label, percent: String(format: "%.1f%%", $0.probability * 100))
            },
            reasons: (decision?.reasons ?? []).joined(separator: ", "),
            sentiment: decision.map { String(format: "anger %.2f · urgency %.2f", $0.sentiment.anger, $0.sentiment.urgency) }
                ?? "",
            intentOptions: intents.map { .init(value: $0.id.description, label: $0.label, selected: $0.label == top) },
            addAction: WebPath.botTeach, locales: PageModel.Option.contentLocales(selected: isChinese ? .zhCN : .en),
            canTeach: context.identity.can(.manageBot) && !intents.isEmpty, error: error)
        return page.render(
            .botTry, content, title: renderer.text("bot", "try", page.locale), nav: "bot", flashKey: ShellPage.flash(request))
    }

    @Sendable func tryPage(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await renderTry(request, context, text: "", decision: nil, error: nil)
    }

    @Sendable func ask(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        let text = form["text"] ?? ""
        let locale = PageLocale.resolve(identity: context.identity, acceptLanguage: request.headers[.acceptLanguage])
        do {
            let decision = try await bot.ask(context.identity, text: text)
            return try await renderTry(request, context, text: text, decision: decision, error: nil)
        } catch {
            guard let message = message(error, locale) else { throw error }
            return try await renderTry(request, context, text: text, decision: nil, error: message)
        }
    }

    /// "Add as a phrase" from the try page: the message joins the chosen intent.
    @Sendable func teach(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        guard let intent = form["intent_id"].flatMap({ IntentID($0) }) else { throw DomainError.notFound(.intent) }
        _ = try await addPhrase(context, intent: intent, form: form)
        return .redirect(to: WebPath.botIntent(intent) + "?flash=phrase_added")
    }

    private func addPhrase(_ context: AuthenticatedContext, intent: IntentID, form: FormData) async throws -> TrainingPhrase {
        try await bot.addPhrase(
            context.identity, intent: intent, text: form["text"] ?? "",
            locale: ContentLocale(rawValue: form["locale"] ?? "") ?? .en, source: .admin)
    }

    // MARK: intents

    private func renderIntents(_ request: Request, _ context: AuthenticatedContext, error: String?) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let rows = try await bot.intents(context.identity).map { intent, count in
            PageModel.Intents.Row(
                label: intent.label, name: page.locale == .zhCN ? intent.nameZH : intent.nameEN, phrases: count,
                thin: count < TrainingReport.recommendedPhrases, link: WebPath.botIntent(intent.id), flow: intent.flow)
        }
        return page.render(
            .botIntents, PageModel.Intents(intents: rows, canEdit: context.identity.can(.manageBot), error: error),
            title: renderer.text("bot", "intents", page.locale), nav: "bot", flashKey: ShellPage.flash(request))
    }

    @Sendable func intents(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await renderIntents(request, context, error: nil)
    }

    @Sendable func createIntent(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        do {
            let intent = try await bot.createIntent(
                context.identity, label: form["label"] ?? "", nameEN: form["name_en"].flatMap { $0.isEmpty ? nil : $0 },
                nameZH: form["name_zh"].flatMap { $0.isEmpty ? nil : $0 }, flow: nil)
            return .redirect(to: WebPath.botIntent(intent.id) + "?flash=intent_created")
        } catch {
            let locale = PageLocale.resolve(identity: context.identity, acceptLanguage: request.headers[.acceptLanguage])
            guard let message = message(error, locale) else { throw error }
            return try await renderIntents(request, context, error: message)
        }
    }

    private func renderIntent(_ request: Request, _ context: AuthenticatedContext, _ id: IntentID, error: String?) async throws
        -> Response
    {
        let page = ShellPage(context, request: request, renderer: renderer)
        let (intent, phrases) = try await bot.intent(context.identity, id: id)
        let teams = try await bot.teams(context.identity.workspace.id)
        var content = PageModel.IntentDetail(
            label: intent.label, name: page.locale == .zhCN ? intent.nameZH : intent.nameEN,
            phrases: phrases.map {
                .init(
                    text: $0.text, locale: $0.locale.rawValue,
                    source: renderer.text("bot", Self.sourceKey($0.source), page.locale),
                    delete: WebPath.botPhraseDelete($0.id))
            }, addAction: WebPath.botIntentPhrases(id), locales: PageModel.Option.contentLocales(selected: page.locale),
            canEdit: context.identity.can(.manageBot), error: error)
        content.teams =
            [.init(value: "", label: renderer.text("bot", "default_team", page.locale), selected: intent.teamID == nil)]
            + teams.map { .init(value: $0.id.description, label: $0.name, selected: $0.id == intent.teamID) }
        content.teamAction = WebPath.botIntentTeam(id)
        return page.render(.botIntent, content, title: intent.label, nav: "bot", flashKey: ShellPage.flash(request))
    }

    @Sendable func setTeam(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("intentID", as: IntentID.self)
        let form = try await FormData.read(request, context)
        let raw = form["team"] ?? ""
        var team: TeamID?
        if !raw.isEmpty {
            guard let parsed = TeamID(raw) else { throw DomainError.notFound(.team) }
            team = parsed
        }
        _ = try await bot.setTeam(context.identity, id: id, team: team)
        return .redirect(to: WebPath.botIntent(id) + "?flash=intent_team_saved")
    }

    @Sendable func intent(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await renderIntent(request, context, try context.parameters.require("intentID", as: IntentID.self), error: nil)
    }

    @Sendable func addPhrase(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("intentID", as: IntentID.self)
        let form = try await FormData.read(request, context)
        do {
            _ = try await addPhrase(context, intent: id, form: form)
            return .redirect(to: WebPath.botIntent(id) + "?flash=phrase_added")
        } catch {
            let locale = PageLocale.resolve(identity: context.identity, acceptLanguage: request.headers[.acceptLanguage])
            guard let message = message(error, locale) else { throw error }
            return try await renderIntent(request, context, id, error: message)
        }
    }

    @Sendable func deletePhrase(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("phraseID", as: PhraseID.self)
        try await bot.deletePhrase(context.identity, id: id)
        let back = request.headers[.referer].flatMap { URL(string: $0)?.path }.flatMap {
            $0.hasPrefix(WebPath.botIntents) ? $0 : nil
        }
        return .redirect(to: back ?? WebPath.botIntents)
    }

    static func sourceKey(_ source: PhraseSource) -> String {
        switch source {
        case .template: "source_template"
        case .admin: "source_admin"
        case .agentCorrection: "source_agent_correction"
        case .customerFeedback: "source_customer_feedback"
        }
    }

    // MARK: models

    private func renderModels(_ request: Request, _ context: AuthenticatedContext, error: String?) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let models = try await bot.models(context.identity)
        let reports = models.map { DTO.BotModel($0) }
        let job = try await bot.latestTraining(context.identity)
        let active = reports.first(where: \.active)?.metrics ?? reports.first?.metrics
        var content = PageModel.Models(
            models: reports.map { model in
                .init(
                    id: model.id.description, version: model.version, active: model.active,
                    accuracy: model.metrics.map { String(format: "%.3f", $0.accuracy) } ?? "—",
                    macroF1: model.metrics.map { String(format: "%.3f", $0.macroF1) } ?? "—", phrases: model.phraseCount,
                    intents: model.intentCount, created: ShellPage.display(model.createdAt),
                    activate: WebPath.botModelActivate(model.id))
            },
            job: job.flatMap { $0.status == .queued || $0.status == .running ? $0.status.rawValue : nil },
            jobFailed: job.flatMap { $0.status == .failed ? $0.lastError : nil },
            scores: (active?.intents ?? []).map {
                .init(label: $0.label, f1: String(format: "%.2f", $0.f1), phrases: $0.phrases)
            },
            confusions: (active?.confusions ?? []).map { .init(expected: $0.expected, predicted: $0.predicted, count: $0.count) },
            thin: active.flatMap { $0.thinIntents.isEmpty ? nil : $0.thinIntents.joined(separator: ", ") },
            canEdit: context.identity.can(.manageBot), error: error)
        content.hasReport = !content.scores.isEmpty
        return page.render(
            .botModels, content, title: renderer.text("bot", "models", page.locale), nav: "bot",
            flashKey: ShellPage.flash(request))
    }

    @Sendable func models(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await renderModels(request, context, error: nil)
    }

    @Sendable func train(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        do {
            _ = try await bot.train(context.identity)
            return .redirect(to: WebPath.botModels + "?flash=training_queued")
        } catch {
            let locale = PageLocale.resolve(identity: context.identity, acceptLanguage: request.headers[.acceptLanguage])
            guard let message = message(error, locale) else { throw error }
            return try await renderModels(request, context, error: message)
        }
    }

    @Sendable func activate(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("modelID", as: BotModelID.self)
        _ = try await bot.activate(context.identity, id: id)
        return .redirect(to: WebPath.botModels + "?flash=model_activated")
    }

    // MARK: templates

    private func renderTemplates(_ request: Request, _ context: AuthenticatedContext, installed: String?) -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let cards = templates.templates.map { template in
            PageModel.Templates.Card(
                id: template.id, name: template.manifest.name.text(page.locale),
                description: template.manifest.description.text(page.locale), intents: template.manifest.intents.count,
                phrases: template.phrases.count, faqs: template.faqs.count, articles: template.articles.count,
                install: WebPath.botTemplateInstall(template.id))
        }
        return page.render(
            .botTemplates, PageModel.Templates(templates: cards, canEdit: context.identity.can(.manageBot), installed: installed),
            title: renderer.text("bot", "templates", page.locale), nav: "bot", flashKey: ShellPage.flash(request))
    }

    @Sendable func templateGallery(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        renderTemplates(request, context, installed: nil)
    }

    @Sendable func install(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("templateID")
        let result = try await templates.install(context.identity, template: id)
        let locale = PageLocale.resolve(identity: context.identity, acceptLanguage: request.headers[.acceptLanguage])
        let summary = renderer.catalogues.text(
            "bot", "installed", locale,
            [
                "intents": "\(result.intents)", "phrases": "\(result.phrases)", "faqs": "\(result.faqs)",
                "articles": "\(result.articles)",
            ])
        return renderTemplates(request, context, installed: summary)
    }
}
