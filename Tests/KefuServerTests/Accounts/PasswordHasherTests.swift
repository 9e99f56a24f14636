import Foundation
import HummingbirdBcrypt
import KefuServer
import Testing

@Suite struct PasswordHasherTests {
    static let secret = SecretKey(material: "test-secret-key-that-is-long-enough-0123456789")

    @Test func everyByteOfALongPasswordCounts() async throws {
        let hasher = PasswordHasher(cost: 10).peppered(with: Self.secret)
        // 24 Chinese characters are 72 bytes: plain bcrypt would ignore everything after them.
        let prefix = String(repeating: "密", count: 24)
        let hash = try await hasher.hash(prefix + "一")
        #expect(try await hasher.verify(prefix + "一", hash: hash).matches)
        #expect(try await !hasher.verify(prefix + "二", hash: hash).matches)
    }

    @Test func oldPlainBcryptHashesStillWorkAndAskForAnUpgrade() async throws {
        let hasher = PasswordHasher(cost: 10).peppered(with: Self.secret)
        let legacy = Bcrypt.hash("an old password", cost: 10)
        let verdict = try await hasher.verify("an old password", hash: legacy)
        #expect(verdict.matches && verdict.needsUpgrade)
        #expect(try await !hasher.verify("another password", hash: legacy).matches)
        let upgraded = try await hasher.hash("an old password")
        #expect(try await hasher.verify("an old password", hash: upgraded).needsUpgrade == false)
    }

    @Test func theServerKeyIsPartOfTheHash() async throws {
        let one = PasswordHasher(cost: 10).peppered(with: Self.secret)
        let other = PasswordHasher(cost: 10).peppered(with: SecretKey(material: "another-secret-key-that-is-long-enough-987654"))
        let hash = try await one.hash("correct horse battery")
        #expect(try await !other.verify("correct horse battery", hash: hash).matches)
    }
}

/// A hash as Kefu stored them before passwords were pre-hashed: bcrypt of the password itself.
enum LegacyHash {
    static func make(_ password: String) -> String { Bcrypt.hash(password, cost: 10) }
}
