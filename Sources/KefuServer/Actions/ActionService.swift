import Foundation
import KefuBot
import KefuCore
import KefuStore

/// Business actions: admins define them (secret header values sealed, never shown again; URLs checked against the
/// outbound guard), flows and the "test call" button run them, every call is logged without secrets.
struct ActionService: Sendable {
    let store: Store
    let clock: WallClock
    let caller: ActionCaller
    var audit: AuditTrail { AuditTrail(clock: clock) }

    struct Draft: Sendable {
        var name: String
        var method: BusinessAction.Method
        var url: String
        /// A secret header with no value keeps the stored one.
        var headers: [(name: String, value: String?, secret: Bool)]
        var inputs: [BusinessAction.Input]
        var mapping: [String: String]
        var reply: [String: String]
        var timeoutMilliseconds: Int?
        var enabled: Bool
    }

    static let forbiddenHeaders: Set<String> = ["host", "content-length", "content-type", "transfer-encoding", "connection"]

    func list(_ actor: Identity) async throws -> [BusinessAction] {
        try await store.scoped(to: actor.workspace.id).actions.all()
    }

    func action(_ actor: Identity, _ id: BusinessActionID) async throws -> BusinessAction {
        try await store.scoped(to: actor.workspace.id).actions.action(id)
    }

    func create(_ actor: Identity, _ draft: Draft, ip: String?) async throws -> BusinessAction {
        let data = store.scoped(to: actor.workspace.id)
        let now = clock.now()
        var action = BusinessAction(
            id: BusinessActionID(), workspaceID: actor.workspace.id, name: "", method: .GET, url: "", headers: [],
            inputs: [], mapping: [:], reply: [:], timeoutMilliseconds: BusinessAction.defaultTimeoutMilliseconds,
            enabled: true, createdAt: now, updatedAt: now)
        try await apply(draft, to: &action, allowlist: try await settings(data).allowlist)
        try await data.transaction { [audit, action] data in
            try await data.actions.insert(action)
            try await data.audit.append(
                audit.event(.settingsChanged, actor: actor.user, target: "action:\(action.name)", ip: ip, after: action.url))
        }
        return action
    }

    func update(_ actor: Identity, _ id: BusinessActionID, _ draft: Draft, ip: String?) async throws -> BusinessAction {
        let data = store.scoped(to: actor.workspace.id)
        var action = try await data.actions.action(id)
        let before = action.url
        try await apply(draft, to: &action, allowlist: try await settings(data).allowlist)
        action.updatedAt = clock.now()
        try await data.transaction { [audit, action] data in
            try await data.actions.save(action)
            try await data.audit.append(
                audit.event(
                    .settingsChanged, actor: actor.user, target: "action:\(action.name)", ip: ip, before: before,
                    after: action.url))
        }
        return action
    }

    func delete(_ actor: Identity, _ id: BusinessActionID, ip: String?) async throws {
        try await store.scoped(to: actor.workspace.id).transaction { [audit] data in
            let action = try await data.actions.action(id)
            try await data.actions.delete(id)
            try await data.audit.append(
                audit.event(.settingsChanged, actor: actor.user, target: "action:\(action.name)", ip: ip, before: "deleted"))
        }
    }

    /// Runs an action with the given values and logs the call (the editor's "test call", a flow's step).
    func run(
        _ workspace: WorkspaceID, _ action: BusinessAction, values: [String: String], conversation: ConversationID?
    ) async throws -> (ActionCaller.Result, ActionCall) {
        let data = store.scoped(to: workspace)
        let settings = try await settings(data)
        let result: ActionCaller.Result
        if let missing = action.inputs.first(where: { $0.required && (values[$0.name] ?? "").isEmpty }) {
            result = ActionCaller.Result(outcome: .failed, values: [:], error: "missing_input:\(missing.name)", target: "")
        } else {
            result = await caller.call(
                action, values: values, signingSecret: try caller.box.open(settings.sealedSigningSecret),
                allowlist: settings.allowlist)
        }
        let call = ActionCall(
            id: UUID(), actionID: action.id, conversationID: conversation, outcome: result.outcome,
            statusCode: result.statusCode, durationMilliseconds: result.milliseconds, error: result.error,
            target: result.target, createdAt: clock.now())
        try await data.transaction { tx in try await tx.actions.log(call) }
        return (result, call)
    }

    func calls(_ actor: Identity, _ id: BusinessActionID, limit: Int) async throws -> [ActionCall] {
        let data = store.scoped(to: actor.workspace.id)
        _ = try await data.actions.action(id)
        return try await data.actions.calls(id, limit: min(max(limit, 1), 200))
    }

    /// The workspace's signing secret (made on first use) and allow-list.
    /// The action a flow names, when it exists and is switched on.
    func enabledAction(named name: String, in workspace: WorkspaceID) async throws -> BusinessAction? {
        guard let action = try await store.scoped(to: workspace).actions.action(named: name), action.enabled else {
            return nil
        }
        return action
    }

    func settings(_ data: WorkspaceData) async throws -> ActionSettings {
        if let settings = try await data.actions.settings() { return settings }
        let made = ActionSettings(sealedSigningSecret: try caller.box.seal(Secrets.token(prefix: "whsec_")), allowlist: [])
        let now = clock.now()
        return try await data.transaction { tx in
            if let settings = try await tx.actions.settings() { return settings }
            try await tx.actions.setSettings(made, at: now)
            return made
        }
    }

    func signingSecret(_ actor: Identity) async throws -> (secret: String, allowlist: [String]) {
        let settings = try await settings(store.scoped(to: actor.workspace.id))
        return (try caller.box.open(settings.sealedSigningSecret), settings.allowlist)
    }

    /// Replaces the allow-list (`host` or `host:port` entries), makes a new signing secret when asked, and sets the
    /// SLA webhook when given (`.some(nil)` removes it); all or nothing.
    func setSettings(_ actor: Identity, allowlist: [String], rotate: Bool, slaWebhook: String?? = nil, ip: String?)
        async throws -> (secret: String, allowlist: [String], slaWebhook: String?)
    {
        let entries = allowlist.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        let valid = entries.allSatisfy { entry in
            entry.count <= 255 && entry.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) }
        }
        guard valid, entries.count <= 50 else { throw ValidationErrors("allowlist", .pattern) }
        let data = store.scoped(to: actor.workspace.id)
        var settings = try await settings(data)
        settings.allowlist = Array(Set(entries)).sorted()
        if let slaWebhook { settings.slaWebhookURL = try await checkedWebhook(slaWebhook, allowlist: settings.allowlist) }
        if rotate { settings.sealedSigningSecret = try caller.box.seal(Secrets.token(prefix: "whsec_")) }
        let saved = settings
        try await data.transaction { [audit, clock] data in
            try await data.actions.setSettings(saved, at: clock.now())
            try await data.audit.append(
                audit.event(
                    .settingsChanged, actor: actor.user, target: "action_settings", ip: ip,
                    after: saved.allowlist.joined(separator: ",") + (rotate ? " (secret rotated)" : "")
                        + " sla_webhook=" + (saved.slaWebhookURL ?? "none")))
        }
        return (try caller.box.open(saved.sealedSigningSecret), saved.allowlist, saved.slaWebhookURL)
    }

    func slaWebhook(_ actor: Identity) async throws -> String? {
        try await settings(store.scoped(to: actor.workspace.id)).slaWebhookURL
    }

    /// Where SLA warnings and breaches are posted (nil or empty: nowhere); the URL passes the same guard as actions.
    func setSLAWebhook(_ actor: Identity, url: String?, ip: String?) async throws -> String? {
        let current = try await settings(store.scoped(to: actor.workspace.id))
        return try await setSettings(actor, allowlist: current.allowlist, rotate: false, slaWebhook: .some(url), ip: ip)
            .slaWebhook
    }

    private func checkedWebhook(_ url: String?, allowlist: [String]) async throws -> String? {
        let url = (url ?? "").trimmingCharacters(in: .whitespaces)
        guard !url.isEmpty else { return nil }
        guard url.count <= 2000, url.lowercased().hasPrefix("http") else { throw ValidationErrors("sla_webhook_url", .pattern) }
        do { _ = try await OutboundGuard(allowlist: allowlist, lookups: caller.outbound.lookups).check(url) } catch {
            throw APIError(
                .unprocessableContent, code: "url_not_allowed", issues: ValidationErrors("sla_webhook_url", .urlNotAllowed))
        }
        return url
    }

    private func apply(_ draft: Draft, to action: inout BusinessAction, allowlist: [String]) async throws {
        var errors = ValidationErrors()
        let namePattern = { (text: String) in
            (1...60).contains(text.count) && text.first?.isLetter == true
                && text.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
        }
        if !namePattern(draft.name) { errors.add("name", .pattern) }
        if draft.url.count > 2000 { errors.add("url", .length(min: 1, max: 2000)) }
        let slotKinds = Set(SlotKind.allCases.map(\.rawValue))
        for input in draft.inputs where !namePattern(input.name) || !slotKinds.contains(input.kind) {
            errors.add("inputs", .pattern)
        }
        if draft.inputs.count > 20 { errors.add("inputs", .itemCount(min: 0, max: 20)) }
        let inputNames = Set(draft.inputs.map(\.name))
        if ActionTemplate.placeholders(draft.url).contains(where: { !inputNames.contains($0) }) {
            errors.add("url", .unknownReference)
        }
        if !ActionTemplate.placeholdersOnlyAfterAuthority(draft.url) || ActionTemplate.hasDotSegments(draft.url) {
            errors.add("url", .pattern)
        }
        for (name, path) in draft.mapping where !namePattern(name) || path.isEmpty || path.count > 200 {
            errors.add("mapping", .pattern)
        }
        if draft.mapping.count > 50 { errors.add("mapping", .itemCount(min: 0, max: 50)) }
        for (locale, text) in draft.reply where !["zh-CN", "en"].contains(locale) || text.count > 2000 {
            errors.add("reply", .pattern)
        }
        let timeout = draft.timeoutMilliseconds ?? action.timeoutMilliseconds
        if !(100...BusinessAction.maxTimeoutMilliseconds).contains(timeout) {
            errors.add("timeout_ms", .number(min: 100, max: Double(BusinessAction.maxTimeoutMilliseconds)))
        }
        // A kept secret goes only where it went before, the same way: pointing the action elsewhere, or from https to
        // plain http, means typing it again.
        let host = { (url: String) in ActionCaller.describe(url).prefix { $0 != "/" }.lowercased() }
        let scheme = { (url: String) in url.prefix { $0 != ":" }.lowercased() }
        let sameHost = host(draft.url) == host(action.url) && scheme(draft.url) == scheme(action.url)
        var headers: [BusinessAction.Header] = []
        for header in draft.headers {
            let lower = header.name.lowercased()
            let token =
                (1...100).contains(header.name.count)
                && header.name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            if !token || Self.forbiddenHeaders.contains(lower) || lower.hasPrefix("x-kefu-") { errors.add("headers", .pattern) }
            if let value = header.value, value.count > 4000 || Validate.containsControlCharacters(value) {
                errors.add("headers", .pattern)
            }
            if header.secret {
                if let value = header.value, !value.isEmpty {
                    headers.append(.init(name: header.name, value: try caller.box.seal(value), secret: true))
                } else if sameHost,
                    let kept = action.headers.first(where: { $0.secret && $0.name.lowercased() == lower })
                {
                    headers.append(kept)
                } else {
                    errors.add("headers", .required)
                }
            } else {
                headers.append(.init(name: header.name, value: header.value ?? "", secret: false))
            }
        }
        try errors.throwIfAny()
        // Placeholders filled with a harmless value: the host is what the guard judges.
        let probe = ActionTemplate.url(draft.url, values: Dictionary(uniqueKeysWithValues: inputNames.map { ($0, "1") }))
        do { _ = try await OutboundGuard(allowlist: allowlist, lookups: caller.outbound.lookups).check(probe) } catch {
            throw APIError(.unprocessableContent, code: "url_not_allowed", issues: ValidationErrors("url", .urlNotAllowed))
        }
        action.name = draft.name
        action.method = draft.method
        action.url = draft.url
        action.headers = headers
        action.inputs = draft.inputs
        action.mapping = draft.mapping
        action.reply = draft.reply
        action.timeoutMilliseconds = timeout
        action.enabled = draft.enabled
    }
}
