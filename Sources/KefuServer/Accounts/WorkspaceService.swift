import Foundation
import KefuCore
import KefuStore

/// The workspace profile and its teams.
public struct WorkspaceService: Sendable {
    let store: Store
    let clock: WallClock
    let events: any EventBus
    var audit: AuditTrail { AuditTrail(clock: clock) }

    public init(store: Store, clock: WallClock, events: any EventBus) {
        self.store = store
        self.clock = clock
        self.events = events
    }

    /// A workspace by its slug (the demo shop page finds the demo's).
    func workspace(slug: String) async throws -> Workspace? {
        try await store.unscoped.workspaces.workspace(slug: slug)
    }

    public func update(_ actor: Identity, name: String?, defaultLocale: UILocale?, ip: String?) async throws -> Workspace {
        let newName = try name.map { try Validate.name($0, field: "name") }
        let updated = try await store.scoped(to: actor.workspace.id).transaction { [audit] data in
            // Fields left out keep the stored values, not the caller's possibly cached copy.
            let before = try await data.profile.get()
            let updated = try await data.profile.update(
                name: newName ?? before.name, defaultLocale: defaultLocale ?? before.defaultLocale)
            try await data.audit.append(
                audit.event(
                    .settingsChanged, actor: actor.user, target: "workspace", ip: ip,
                    before: AuditTrail.json(["name": before.name, "default_locale": before.defaultLocale.rawValue]),
                    after: AuditTrail.json(["name": updated.name, "default_locale": updated.defaultLocale.rawValue])))
            return updated
        }
        events.publish(.accessChanged(actor.workspace.id))
        return updated
    }

    public func portal(_ actor: Identity) async throws -> PortalSettings {
        try await store.scoped(to: actor.workspace.id).profile.portal()
    }

    /// The help center's colour and contact options; an empty e-mail or phone removes it.
    public func updatePortal(
        _ actor: Identity, brandColor: String?, supportEmail: String?, supportPhone: String?, ip: String?
    ) async throws -> PortalSettings {
        var errors = ValidationErrors()
        if let brandColor, !Self.isColor(brandColor) { errors.add("brand_color", .pattern) }
        // The same rule as the API document's `format: email`, on the value as sent.
        if let supportEmail, !supportEmail.isEmpty, !Validate.email(supportEmail) { errors.add("support_email", .email) }
        let email = supportEmail.map(Validate.normalizedEmail)
        let phone = supportPhone?.trimmingCharacters(in: .whitespaces)
        if let phone, !phone.isEmpty, !Self.isPhone(phone) { errors.add("support_phone", .pattern) }
        guard errors.isEmpty else { throw DomainError.invalid(errors) }
        return try await store.scoped(to: actor.workspace.id).transaction { [audit] data in
            let before = try await data.profile.portal()
            let after = PortalSettings(
                brandColor: brandColor?.lowercased() ?? before.brandColor,
                supportEmail: email.map { $0.isEmpty ? nil : $0 } ?? before.supportEmail,
                supportPhone: phone.map { $0.isEmpty ? nil : $0 } ?? before.supportPhone)
            let saved = try await data.profile.updatePortal(after)
            try await data.audit.append(
                audit.event(
                    .settingsChanged, actor: actor.user, target: "portal", ip: ip,
                    after: AuditTrail.json(["brand_color": saved.brandColor])))
            return saved
        }
    }

    static func isColor(_ text: String) -> Bool {
        text.count == 7 && text.first == "#" && text.dropFirst().allSatisfy(\.isHexDigit)
    }

    static func isPhone(_ text: String) -> Bool {
        (3...32).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isNumber || " +-()".contains($0)) }
    }

    public func teams(_ actor: Identity) async throws -> [Team] {
        try await store.scoped(to: actor.workspace.id).teams.list()
    }

    public func createTeam(_ actor: Identity, name: String, ip: String?) async throws -> Team {
        let name = try Validate.name(name, field: "name")
        return try await store.scoped(to: actor.workspace.id).transaction { [audit, clock] data in
            let team = try await data.teams.create(name: name, at: clock.now())
            try await data.audit.append(
                audit.event(.settingsChanged, actor: actor.user, target: "team", ip: ip, after: AuditTrail.json(["team": name])))
            return team
        }
    }
}
