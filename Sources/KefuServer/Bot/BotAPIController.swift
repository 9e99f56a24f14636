import Foundation
import Hummingbird
import KefuBot
import KefuCore

/// Asking the bot, its intents and phrases, training jobs, model versions and scenario templates.
struct BotAPIController {
    let bot: BotService
    let templates: TemplateService

    func register(_ routes: SecuredRoutes) {
        routes.on(.post, APIPath.botAsk, .askBot, use: ask)
        routes.on(.post, APIPath.botTrain, .manageBot, use: train)
        routes.on(.get, APIPath.botModels, .viewBot, use: models)
        routes.on(.post, APIPath.botModelActivate, .manageBot, use: activate)
        routes.on(.get, APIPath.botIntents, .viewBot, use: intents)
        routes.on(.post, APIPath.botIntents, .manageBot, use: createIntent)
        routes.on(.get, APIPath.botIntent, .viewBot, use: intent)
        routes.on(.delete, APIPath.botIntent, .manageBot, use: deleteIntent)
        routes.on(.put, APIPath.botIntentTeam, .manageBot, use: setTeam)
        routes.on(.post, APIPath.botIntentPhrases, .manageBot, use: addPhrase)
        routes.on(.delete, APIPath.botPhrase, .manageBot, use: deletePhrase)
        routes.on(.get, APIPath.botTemplates, .viewBot, use: listTemplates)
        routes.on(.post, APIPath.botTemplateInstall, .manageBot, use: install)
        routes.on(.get, APIPath.job, .viewBot, use: job)
    }

    struct Ask: Decodable {
        var text: String
    }

    @Sendable func ask(_ request: Request, context: AuthenticatedContext) async throws -> Decision {
        let body = try await request.decodeJSON(Ask.self, context: context)
        return try await bot.ask(context.identity, text: body.text)
    }

    @Sendable func train(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DTO.JobQueued> {
        let job = try await bot.train(context.identity)
        return EditedResponse(status: .accepted, response: .init(jobID: job.id, status: job.status))
    }

    @Sendable func models(_ request: Request, context: AuthenticatedContext) async throws -> DTO.BotModels {
        let models = try await bot.models(context.identity)
        return DTO.BotModels(models: models.map(DTO.BotModel.init), activeVersion: models.first(where: \.active)?.version)
    }

    @Sendable func activate(_ request: Request, context: AuthenticatedContext) async throws -> DTO.BotModel {
        let id = try context.parameters.require("modelID", as: BotModelID.self)
        return DTO.BotModel(try await bot.activate(context.identity, id: id))
    }

    @Sendable func intents(_ request: Request, context: AuthenticatedContext) async throws -> [DTO.Intent] {
        try await bot.intents(context.identity).map { DTO.Intent($0.0, phraseCount: $0.1) }
    }

    struct NewIntent: Decodable {
        enum CodingKeys: String, CodingKey {
            case label, flow
            case nameEN = "name_en"
            case nameZH = "name_zh"
        }

        var label: String
        var nameEN: String?
        var nameZH: String?
        var flow: String?
    }

    @Sendable func createIntent(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DTO.Intent> {
        let body = try await request.decodeJSON(NewIntent.self, context: context)
        let intent = try await bot.createIntent(
            context.identity, label: body.label, nameEN: body.nameEN, nameZH: body.nameZH, flow: body.flow)
        return EditedResponse(status: .created, response: .init(intent, phraseCount: 0))
    }

    @Sendable func intent(_ request: Request, context: AuthenticatedContext) async throws -> DTO.IntentDetail {
        let id = try context.parameters.require("intentID", as: IntentID.self)
        let (intent, phrases) = try await bot.intent(context.identity, id: id)
        return DTO.IntentDetail(intent: .init(intent, phraseCount: phrases.count), phrases: phrases.map(DTO.Phrase.init))
    }

    struct IntentTeam: Decodable {
        enum CodingKeys: String, CodingKey { case teamID = "team_id" }
        var teamID: TeamID?
    }

    /// Which team the intent's hand-offs go to (`null`: the workspace's default team).
    @Sendable func setTeam(_ request: Request, context: AuthenticatedContext) async throws -> DTO.Intent {
        let id = try context.parameters.require("intentID", as: IntentID.self)
        let body = try await request.decodeJSON(IntentTeam.self, context: context)
        let (intent, phrases) = try await bot.setTeam(context.identity, id: id, team: body.teamID)
        return DTO.Intent(intent, phraseCount: phrases)
    }

    @Sendable func deleteIntent(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("intentID", as: IntentID.self)
        try await bot.deleteIntent(context.identity, id: id)
        return Response(status: .noContent)
    }

    struct NewPhrase: Decodable {
        var text: String
        var locale: ContentLocale
        var source: PhraseSource?
    }

    @Sendable func addPhrase(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DTO.Phrase> {
        let id = try context.parameters.require("intentID", as: IntentID.self)
        let body = try await request.decodeJSON(NewPhrase.self, context: context)
        let phrase = try await bot.addPhrase(
            context.identity, intent: id, text: body.text, locale: body.locale, source: body.source ?? .admin)
        return EditedResponse(status: .created, response: .init(phrase))
    }

    @Sendable func deletePhrase(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("phraseID", as: PhraseID.self)
        try await bot.deletePhrase(context.identity, id: id)
        return Response(status: .noContent)
    }

    @Sendable func listTemplates(_ request: Request, context: AuthenticatedContext) async throws -> [DTO.Template] {
        templates.templates.map(DTO.Template.init)
    }

    @Sendable func install(_ request: Request, context: AuthenticatedContext) async throws -> TemplateService.Installed {
        let id = try context.parameters.require("templateID")
        return try await templates.install(context.identity, template: id)
    }

    @Sendable func job(_ request: Request, context: AuthenticatedContext) async throws -> DTO.Job {
        let id = try context.parameters.require("jobID", as: JobID.self)
        return DTO.Job(try await bot.job(context.identity, id: id))
    }
}
