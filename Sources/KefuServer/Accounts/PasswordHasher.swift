import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Passwords: HMAC-SHA-256 with the server key, base64, then bcrypt, on the thread pool. The pre-hash makes every
/// byte count (bcrypt alone reads 72 bytes, 24 Chinese characters) and keeps a stolen database useless without the
/// key. Hashes from before the pre-hash still verify and report `needsUpgrade`, so sign-in re-hashes them.
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    let pepper: SymmetricKey?
    /// A bcrypt hash of this cost of a random string nobody knows, for `verifyDecoy`.
    let decoy: String
    /// Hashes made by this scheme start with this marker; older ones are plain bcrypt.
    static let marker = "kefu1$"

    public init(cost: UInt8 = 12) {
        precondition(cost >= 10, "bcrypt cost below 10 is too weak")
        self.cost = cost
        self.pepper = nil
        self.decoy = cost == 12 ? Self.decoyCost12 : Bcrypt.hash(Secrets.token(prefix: ""), cost: cost)
    }

    private init(cost: UInt8, pepper: SymmetricKey, decoy: String) {
        self.cost = cost
        self.pepper = pepper
        self.decoy = decoy
    }

    /// The same hasher keyed with the server's secret.
    public func peppered(with secret: SecretKey) -> PasswordHasher {
        PasswordHasher(cost: cost, pepper: secret.key, decoy: decoy)
    }

    /// The outcome of a check.
    public struct Verdict: Sendable {
        public var matches: Bool
        /// The stored hash is of an older scheme (or cost) and should be replaced after a successful check.
        public var needsUpgrade: Bool
    }

    public func hash(_ password: String) async throws -> String {
        let input = prehash(password)
        let cost = self.cost
        return Self.marker + (try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(input, cost: cost) })
    }

    public func verify(_ password: String, hash stored: String) async throws -> Verdict {
        if stored.hasPrefix(Self.marker) {
            let input = prehash(password)
            let bcrypt = String(stored.dropFirst(Self.marker.count))
            let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(input, hash: bcrypt) }
            return Verdict(matches: matches, needsUpgrade: false)
        }
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: stored) }
        return Verdict(matches: matches, needsUpgrade: true)
    }

    /// Spends the same work as one real check, for unknown e-mails, so that timing does not tell which exist: one
    /// bcrypt verification against a fixed hash of this hasher's cost.
    public func verifyDecoy(_ password: String) async throws {
        let input = prehash(password)
        let decoy = self.decoy
        _ = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(input, hash: decoy) }
    }

    /// Made once, so production start does not pay a bcrypt run for it.
    static let decoyCost12 = "$2b$12$OF/SqX1X2joizWWXy1W9kuO2PRRRbbx4uoqhaoRK.krZxsukH53.y"

    private func prehash(_ password: String) -> String {
        guard let pepper else { return Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString() }
        return Data(HMAC<SHA256>.authenticationCode(for: Data(password.utf8), using: pepper)).base64EncodedString()
    }
}
