import FluentKit
import Foundation
import KefuCore
import SQLKit

/// Workspaces themselves: made by `kefu admin` and the demo, found by id or slug at sign-in.
public protocol WorkspaceDirectory: Sendable {
    func create(slug: String, name: String, defaultLocale: UILocale, at: Date) async throws -> Workspace
    func workspace(id: WorkspaceID) async throws -> Workspace?
    func workspace(slug: String) async throws -> Workspace?
    /// The workspace a chat widget names by its public key.
    func workspace(widgetKey: String) async throws -> Workspace?
    /// Workspaces with open conversations (ids only): routing's periodic sweep visits these.
    func withOpenConversations() async throws -> [WorkspaceID]
}

struct SQLWorkspaceDirectory: WorkspaceDirectory {
    let db: any Database

    func create(slug: String, name: String, defaultLocale: UILocale, at: Date) async throws -> Workspace {
        let model = WorkspaceModel(slug: slug, name: name, defaultLocale: defaultLocale.rawValue, createdAt: at)
        try await createUnique(model, on: db, conflict: .workspaceSlugTaken)
        return try model.record()
    }

    func workspace(id: WorkspaceID) async throws -> Workspace? {
        try await WorkspaceModel.find(id.uuid, on: db)?.record()
    }

    func workspace(slug: String) async throws -> Workspace? {
        try await WorkspaceModel.query(on: db).filter(\.$slug == slug).first()?.record()
    }

    func workspace(widgetKey: String) async throws -> Workspace? {
        try await WorkspaceModel.query(on: db).filter(\.$widgetKey == widgetKey).first()?.record()
    }

    func withOpenConversations() async throws -> [WorkspaceID] {
        guard let sql = db as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
        struct Row: Decodable { var workspace_id: UUID }
        return try await sql.raw("SELECT DISTINCT workspace_id FROM conversations WHERE status = 'open'")
            .all(decoding: Row.self).map { WorkspaceID($0.workspace_id) }
    }
}

/// The profile of the bound workspace.
public protocol WorkspaceProfileRepository: Sendable {
    func get() async throws -> Workspace
    func update(name: String, defaultLocale: UILocale) async throws -> Workspace
    func portal() async throws -> PortalSettings
    func updatePortal(_ settings: PortalSettings) async throws -> PortalSettings
    /// Sets where handed-off conversations go when their intent maps to no team; nil: nowhere in particular.
    func setDefaultTeam(_ team: TeamID?) async throws
}

struct SQLWorkspaceProfileRepository: WorkspaceProfileRepository {
    let scope: WorkspaceScope

    func get() async throws -> Workspace {
        guard let model = try await WorkspaceModel.find(scope.workspaceID.uuid, on: scope.db) else {
            throw DomainError.notFound(.workspace)
        }
        return try model.record()
    }

    func update(name: String, defaultLocale: UILocale) async throws -> Workspace {
        guard let model = try await WorkspaceModel.find(scope.workspaceID.uuid, on: scope.db) else {
            throw DomainError.notFound(.workspace)
        }
        model.name = name
        model.defaultLocale = defaultLocale.rawValue
        try await model.save(on: scope.db)
        return try model.record()
    }

    func portal() async throws -> PortalSettings {
        guard let model = try await WorkspaceModel.find(scope.workspaceID.uuid, on: scope.db) else {
            throw DomainError.notFound(.workspace)
        }
        return PortalSettings(brandColor: model.brandColor, supportEmail: model.supportEmail, supportPhone: model.supportPhone)
    }

    func updatePortal(_ settings: PortalSettings) async throws -> PortalSettings {
        guard let model = try await WorkspaceModel.find(scope.workspaceID.uuid, on: scope.db) else {
            throw DomainError.notFound(.workspace)
        }
        model.brandColor = settings.brandColor
        model.supportEmail = settings.supportEmail
        model.supportPhone = settings.supportPhone
        try await model.save(on: scope.db)
        return settings
    }

    func setDefaultTeam(_ team: TeamID?) async throws {
        try await WorkspaceModel.query(on: scope.db).filter(\.$id == scope.workspaceID.uuid)
            .set(\.$defaultTeamID, to: team?.uuid).update()
    }
}
