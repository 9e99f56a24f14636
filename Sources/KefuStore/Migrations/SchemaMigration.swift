import FluentKit

/// One released step of the schema. Never edit a released migration; add a new one.
public protocol SchemaMigration: Sendable {
    /// Strictly increasing across `Migrations.all`.
    var version: Int { get }
    var name: String { get }
    func prepare(on database: any Database) async throws
}
