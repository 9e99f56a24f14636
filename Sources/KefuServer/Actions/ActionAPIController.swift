import Foundation
import Hummingbird
import KefuCore

/// Business actions (admins): define, change, delete, run a test call, read the call log; the workspace's signing
/// secret and allow-list. Secret header values are accepted, never returned.
struct ActionAPIController {
    let actions: ActionService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.actions, .manageActions, use: list)
        routes.on(.post, APIPath.actions, .manageActions, use: create)
        routes.on(.get, APIPath.action, .manageActions, use: get)
        routes.on(.put, APIPath.action, .manageActions, use: update)
        routes.on(.delete, APIPath.action, .manageActions, use: delete)
        routes.on(.post, APIPath.actionTest, .manageActions, use: test)
        routes.on(.get, APIPath.actionCalls, .manageActions, use: calls)
        routes.on(.get, APIPath.actionSettings, .manageActions, use: settings)
        routes.on(.put, APIPath.actionSettings, .manageActions, use: setSettings)
    }

    struct Header: Codable {
        var name: String
        var value: String?
        var secret: Bool?
    }

    struct Input: Codable {
        var name: String
        var kind: String
        var required: Bool?
    }

    struct Action: Codable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id, name, method, url, headers, inputs, mapping, reply, enabled
            case timeoutMilliseconds = "timeout_ms"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
        }

        var id: BusinessActionID?
        var name: String
        var method: BusinessAction.Method
        var url: String
        var headers: [Header]?
        var inputs: [Input]?
        var mapping: [String: String]?
        var reply: [String: String]?
        var timeoutMilliseconds: Int?
        var enabled: Bool?
        var createdAt: Date?
        var updatedAt: Date?

        init(_ action: BusinessAction) {
            id = action.id
            name = action.name
            method = action.method
            url = action.url
            headers = action.headers.map { Header(name: $0.name, value: $0.secret ? nil : $0.value, secret: $0.secret) }
            inputs = action.inputs.map { Input(name: $0.name, kind: $0.kind, required: $0.required) }
            mapping = action.mapping
            reply = action.reply
            timeoutMilliseconds = action.timeoutMilliseconds
            enabled = action.enabled
            createdAt = action.createdAt
            updatedAt = action.updatedAt
        }

        var draft: ActionService.Draft {
            ActionService.Draft(
                name: name, method: method, url: url,
                headers: (headers ?? []).map { (name: $0.name, value: $0.value, secret: $0.secret ?? false) },
                inputs: (inputs ?? []).map { BusinessAction.Input(name: $0.name, kind: $0.kind, required: $0.required ?? true) },
                mapping: mapping ?? [:], reply: reply ?? [:], timeoutMilliseconds: timeoutMilliseconds, enabled: enabled ?? true)
        }
    }

    struct List: ResponseEncodable {
        var data: [Action]
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> List {
        List(data: try await actions.list(context.identity).map(Action.init))
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<Action> {
        let body = try await request.decodeJSON(Action.self, context: context)
        return EditedResponse(
            status: .created, response: Action(try await actions.create(context.identity, body.draft, ip: context.clientIP)))
    }

    @Sendable func get(_ request: Request, context: AuthenticatedContext) async throws -> Action {
        Action(try await actions.action(context.identity, try context.parameters.require("actionID", as: BusinessActionID.self)))
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> Action {
        let id = try context.parameters.require("actionID", as: BusinessActionID.self)
        let body = try await request.decodeJSON(Action.self, context: context)
        return Action(try await actions.update(context.identity, id, body.draft, ip: context.clientIP))
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> HTTPResponse.Status {
        try await actions.delete(
            context.identity, try context.parameters.require("actionID", as: BusinessActionID.self), ip: context.clientIP)
        return .noContent
    }

    struct TestCall: Decodable {
        var values: [String: String]?
    }

    struct Call: ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id, outcome, error, target, values
            case statusCode = "status_code"
            case durationMilliseconds = "duration_ms"
            case conversationID = "conversation_id"
            case createdAt = "created_at"
        }

        var id: UUID
        var outcome: ActionOutcome
        var statusCode: Int?
        var durationMilliseconds: Int
        var error: String?
        var target: String
        var conversationID: ConversationID?
        var values: [String: String]?
        var createdAt: Date

        init(_ call: ActionCall, values: [String: String]? = nil) {
            id = call.id
            outcome = call.outcome
            statusCode = call.statusCode
            durationMilliseconds = call.durationMilliseconds
            error = call.error
            target = call.target
            conversationID = call.conversationID
            self.values = values
            createdAt = call.createdAt
        }
    }

    /// Runs the action now with the given values; the answer shows the outcome and the mapped values.
    @Sendable func test(_ request: Request, context: AuthenticatedContext) async throws -> Call {
        let id = try context.parameters.require("actionID", as: BusinessActionID.self)
        let body = try await request.decodeJSON(TestCall.self, context: context)
        let action = try await actions.action(context.identity, id)
        let (result, call) = try await actions.run(
            context.identity.workspace.id, action, values: body.values ?? [:], conversation: nil)
        return Call(call, values: result.values)
    }

    struct Calls: ResponseEncodable {
        var data: [Call]
    }

    @Sendable func calls(_ request: Request, context: AuthenticatedContext) async throws -> Calls {
        let id = try context.parameters.require("actionID", as: BusinessActionID.self)
        let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 50
        return Calls(data: try await actions.calls(context.identity, id, limit: limit).map { Call($0) })
    }

    struct Settings: ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case allowlist
            case signingSecret = "signing_secret"
            case slaWebhookURL = "sla_webhook_url"
        }

        var allowlist: [String]
        var signingSecret: String
        var slaWebhookURL: String?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(allowlist, forKey: .allowlist)
            try c.encode(signingSecret, forKey: .signingSecret)
            try c.encode(slaWebhookURL, forKey: .slaWebhookURL)
        }
    }

    /// An absent `sla_webhook_url` keeps the webhook; null or "" removes it.
    struct SettingsChange: Decodable {
        enum CodingKeys: String, CodingKey {
            case allowlist
            case rotateSecret = "rotate_secret"
            case slaWebhookURL = "sla_webhook_url"
        }

        var allowlist: [String]
        var rotateSecret: Bool
        var slaWebhookURL: String??

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            allowlist = try c.decode([String].self, forKey: .allowlist)
            rotateSecret = try c.decodeIfPresent(Bool.self, forKey: .rotateSecret) ?? false
            if c.contains(.slaWebhookURL) { slaWebhookURL = .some(try c.decodeIfPresent(String.self, forKey: .slaWebhookURL)) }
        }
    }

    @Sendable func settings(_ request: Request, context: AuthenticatedContext) async throws -> Settings {
        let (secret, allowlist) = try await actions.signingSecret(context.identity)
        return Settings(
            allowlist: allowlist, signingSecret: secret, slaWebhookURL: try await actions.slaWebhook(context.identity))
    }

    @Sendable func setSettings(_ request: Request, context: AuthenticatedContext) async throws -> Settings {
        let body = try await request.decodeJSON(SettingsChange.self, context: context)
        let saved = try await actions.setSettings(
            context.identity, allowlist: body.allowlist, rotate: body.rotateSecret, slaWebhook: body.slaWebhookURL,
            ip: context.clientIP)
        return Settings(allowlist: saved.allowlist, signingSecret: saved.secret, slaWebhookURL: saved.slaWebhook)
    }
}
