import FluentKit

struct M0006AddInvitationRevocation: SchemaMigration {
    let version = 6
    let name = "invitations can be revoked"

    func prepare(on database: any Database) async throws {
        try await database.schema("invitations").field("revoked_at", .datetime).update()
    }
}
