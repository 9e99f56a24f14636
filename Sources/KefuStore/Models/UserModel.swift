import FluentKit
import Foundation
import KefuCore

final class UserModel: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "display_name") var displayName: String
    @OptionalField(key: "locale") var locale: String?
    @Field(key: "status") var status: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID = UUID(), email: String, displayName: String, locale: String?, passwordHash: String, createdAt: Date) {
        self.id = id
        self.email = email
        self.displayName = displayName
        self.locale = locale
        self.status = UserAccount.Status.active.rawValue
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }

    func record() throws -> UserAccount {
        UserAccount(
            id: UserID(try requireID()), email: email, displayName: displayName,
            locale: try locale.map { try decodeStored(UILocale.self, $0, table: Self.schema, column: "locale") },
            status: try decodeStored(UserAccount.Status.self, status, table: Self.schema, column: "status"),
            createdAt: createdAt)
    }
}
