import Foundation
import Hummingbird
import KefuBot
import KefuCore

/// Settings → Business actions (admins): the list, the allow-list and signing secret, and the editor with its
/// "test call" and the recent call log. Secret header values are typed, sealed and never shown again.
struct ActionSettingsPages {
    let actions: ActionService
    let renderer: PageRenderer

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.settingsActions, .manageActions, use: list)
        routes.on(.post, WebPath.settingsActionSecurity, .manageActions, use: saveSecurity)
        routes.on(.get, WebPath.settingsActionNew, .manageActions, use: newAction)
        routes.on(.post, WebPath.settingsActionNew, .manageActions, use: create)
        routes.on(.get, WebPath.settingsAction, .manageActions, use: edit)
        routes.on(.post, WebPath.settingsAction, .manageActions, use: save)
        routes.on(.post, WebPath.settingsActionTest, .manageActions, use: test)
        routes.on(.post, WebPath.settingsActionDelete, .manageActions, use: delete)
    }

    private func renderList(_ request: Request, _ context: AuthenticatedContext, error: String?, showSecret: Bool = false)
        async throws -> Response
    {
        let page = ShellPage(context, request: request, renderer: renderer)
        let (secret, allowlist) = try await actions.signingSecret(context.identity)
        let rows = try await actions.list(context.identity).map {
            PageModel.Actions.Row(
                name: $0.name, method: $0.method.rawValue, url: $0.url, enabled: $0.enabled, edit: WebPath.action($0.id))
        }
        return page.render(
            .actions,
            PageModel.Actions(
                actions: rows, allowlist: allowlist.joined(separator: "\n"), secret: showSecret ? secret : nil, error: error),
            title: renderer.text("settings", "actions", page.locale), nav: "settings", sub: "actions",
            flashKey: ShellPage.flash(request))
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await renderList(request, context, error: nil, showSecret: request.uri.queryParameters.get("reveal") == "1")
    }

    @Sendable func saveSecurity(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        let entries = (form["allowlist"] ?? "").split(whereSeparator: { $0.isNewline || $0 == "," }).map(String.init)
        do {
            let rotate = form["rotate"] == "on"
            _ = try await actions.setSettings(context.identity, allowlist: entries, rotate: rotate, ip: context.clientIP)
            return .redirect(to: WebPath.settingsActions + (rotate ? "?reveal=1&flash=secret_rotated" : "?flash=actions_saved"))
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await renderList(request, context, error: text)
        }
    }

    // MARK: Editor

    private func editor(
        _ request: Request, _ context: AuthenticatedContext, action: BusinessAction?, form: FormData?,
        result: PageModel.ActionEditor.TestResult? = nil, error: String?
    ) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let method = form?["method"] ?? action?.method.rawValue ?? "GET"
        var calls: [ActionCall] = []
        if let action { calls = try await actions.calls(context.identity, action.id, limit: 20) }
        let headers = action?.headers ?? []
        let plainHeaders = headers.filter { !$0.secret }.map { $0.name + ": " + $0.value }.joined(separator: "\n")
        let secretHeaders = headers.filter(\.secret).map { $0.name + ":" }.joined(separator: "\n")
        let inputs = (action?.inputs ?? []).map { input in
            ([input.name, input.kind] + (input.required ? ["required"] : [])).joined(separator: " ")
        }.joined(separator: "\n")
        let mapping = (action?.mapping ?? [:]).sorted { $0.key < $1.key }.map { $0.key + " = " + $0.value }
            .joined(separator: "\n")
        let timeout =
            form.flatMap { NumberInput.int($0["timeout_ms"], in: 0...BusinessAction.maxTimeoutMilliseconds) } ?? action?
            .timeoutMilliseconds
            ?? BusinessAction.defaultTimeoutMilliseconds
        // The test-call form has only the values: the action's own setting shows.
        let enabled = form.flatMap { $0["name"] == nil ? nil : $0["enabled"] == "on" } ?? action?.enabled ?? true
        let testInputs = (action?.inputs ?? []).map { input in
            PageModel.ActionEditor.TestInput(name: input.name, kind: input.kind, value: form?["value_" + input.name] ?? "")
        }
        let shownCalls = calls.map { call in
            PageModel.ActionEditor.Call(
                when: ShellPage.display(call.createdAt),
                outcome: renderer.text("action_outcome", call.outcome.rawValue, page.locale), ok: call.outcome == .found,
                status: call.statusCode.map(String.init) ?? "—", duration: call.durationMilliseconds, error: call.error ?? "")
        }
        let methods = BusinessAction.Method.allCases.map {
            PageModel.Option(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == method)
        }
        let model = PageModel.ActionEditor(
            isNew: action == nil, action: action.map { WebPath.action($0.id) } ?? WebPath.settingsActionNew,
            deleteAction: action.map { WebPath.actionDelete($0.id) }, testAction: action.map { WebPath.actionTest($0.id) },
            name: form?["name"] ?? action?.name ?? "", methods: methods, url: form?["url"] ?? action?.url ?? "https://",
            headers: form?["headers"] ?? plainHeaders, secretHeaders: form?["secret_headers"] ?? secretHeaders,
            inputs: form?["inputs"] ?? inputs, mapping: form?["mapping"] ?? mapping,
            replyZh: form?["reply_zh"] ?? action?.reply["zh-CN"] ?? "", replyEn: form?["reply_en"] ?? action?.reply["en"] ?? "",
            timeout: timeout, enabled: enabled, testInputs: testInputs, result: result, calls: shownCalls, error: error)
        return page.render(
            .actionEditor, model, title: renderer.text("settings", "actions", page.locale), nav: "settings", sub: "actions",
            flashKey: ShellPage.flash(request))
    }

    /// The editor's text areas as a draft: `Name: value` header lines, `name kind [required]` inputs,
    /// `field = $.json.path` mappings.
    static func draft(_ form: FormData) throws -> ActionService.Draft {
        var errors = ValidationErrors()
        func lines(_ key: String) -> [String] {
            (form[key] ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        func pair(_ line: String, _ separator: Character, field: String) -> (String, String)? {
            guard let index = line.firstIndex(of: separator) else {
                errors.add(field, .pattern)
                return nil
            }
            return (
                line[..<index].trimmingCharacters(in: .whitespaces),
                line[line.index(after: index)...].trimmingCharacters(in: .whitespaces)
            )
        }
        var headers: [(name: String, value: String?, secret: Bool)] = []
        for line in lines("headers") {
            if let (name, value) = pair(line, ":", field: "headers") { headers.append((name, value, false)) }
        }
        for line in lines("secret_headers") {
            if let (name, value) = pair(line, ":", field: "headers") { headers.append((name, value.isEmpty ? nil : value, true)) }
        }
        var inputs: [BusinessAction.Input] = []
        for line in lines("inputs") {
            let words = line.split(separator: " ").map(String.init)
            guard (1...3).contains(words.count), words.count < 3 || words[2] == "required" else {
                errors.add("inputs", .pattern)
                continue
            }
            inputs.append(.init(name: words[0], kind: words.count > 1 ? words[1] : "text", required: words.count == 3))
        }
        var mapping: [String: String] = [:]
        for line in lines("mapping") { if let (name, path) = pair(line, "=", field: "mapping") { mapping[name] = path } }
        var reply: [String: String] = [:]
        if let zh = form["reply_zh"], !zh.trimmingCharacters(in: .whitespaces).isEmpty { reply["zh-CN"] = zh }
        if let en = form["reply_en"], !en.trimmingCharacters(in: .whitespaces).isEmpty { reply["en"] = en }
        guard let method = BusinessAction.Method(rawValue: form["method"] ?? "") else {
            errors.add("method", .pattern)
            throw errors
        }
        let timeout = NumberInput.int(form["timeout_ms"], in: 0...BusinessAction.maxTimeoutMilliseconds)
        if form["timeout_ms"] != nil && timeout == nil { errors.add("timeout_ms", .pattern) }
        try errors.throwIfAny()
        return ActionService.Draft(
            name: (form["name"] ?? "").trimmingCharacters(in: .whitespaces), method: method,
            url: (form["url"] ?? "").trimmingCharacters(in: .whitespaces), headers: headers, inputs: inputs, mapping: mapping,
            reply: reply, timeoutMilliseconds: timeout, enabled: form["enabled"] == "on")
    }

    @Sendable func newAction(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await editor(request, context, action: nil, form: nil, error: nil)
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        do {
            let action = try await actions.create(context.identity, try Self.draft(form), ip: context.clientIP)
            return .redirect(to: WebPath.action(action.id) + "?flash=action_saved")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            return try await editor(request, context, action: nil, form: form, error: text)
        }
    }

    @Sendable func edit(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("actionID", as: BusinessActionID.self)
        return try await editor(request, context, action: try await actions.action(context.identity, id), form: nil, error: nil)
    }

    @Sendable func save(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("actionID", as: BusinessActionID.self)
        let form = try await FormData.read(request, context)
        do {
            _ = try await actions.update(context.identity, id, try Self.draft(form), ip: context.clientIP)
            return .redirect(to: WebPath.action(id) + "?flash=action_saved")
        } catch {
            guard let text = renderer.formMessage(error, request, context) else { throw error }
            let action = try await actions.action(context.identity, id)
            return try await editor(request, context, action: action, form: form, error: text)
        }
    }

    /// Runs the saved action with the typed values and shows what came back (the call is logged like any other).
    @Sendable func test(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("actionID", as: BusinessActionID.self)
        let form = try await FormData.read(request, context)
        let action = try await actions.action(context.identity, id)
        var values: [String: String] = [:]
        for input in action.inputs {
            values[input.name] = (form["value_" + input.name] ?? "").trimmingCharacters(in: .whitespaces)
        }
        let (result, call) = try await actions.run(context.identity.workspace.id, action, values: values, conversation: nil)
        let locale = PageLocale.resolve(identity: context.identity, acceptLanguage: request.headers[.acceptLanguage])
        let template = action.reply[locale == .zhCN ? "zh-CN" : "en"] ?? action.reply["en"] ?? action.reply["zh-CN"] ?? ""
        let shown = PageModel.ActionEditor.TestResult(
            outcome: renderer.text("action_outcome", call.outcome.rawValue, locale), ok: call.outcome == .found,
            status: call.statusCode.map(String.init) ?? "—", duration: call.durationMilliseconds, error: call.error,
            values: result.values.sorted { $0.key < $1.key }.map { .init(value: $0.value, label: $0.key, selected: false) },
            reply: call.outcome == .found && !template.isEmpty
                ? ActionTemplate.text(template, values: values.merging(result.values) { $1 }) : nil)
        return try await editor(request, context, action: action, form: form, result: shown, error: nil)
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("actionID", as: BusinessActionID.self)
        try await actions.delete(context.identity, id, ip: context.clientIP)
        return .redirect(to: WebPath.settingsActions + "?flash=action_deleted")
    }
}
