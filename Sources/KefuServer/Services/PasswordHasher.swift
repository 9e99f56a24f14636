import HummingbirdBcrypt
import NIOPosix

/// Bcrypt on the thread pool, so hashing never blocks an event loop.
public struct PasswordHasher: Sendable {
    public let cost: UInt8

    public init(cost: UInt8 = 12) {
        precondition(cost >= 10, "bcrypt cost below 10 is too weak")
        self.cost = cost
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Spends the same time as a real check, for unknown e-mails, so that timing does not tell which exist.
    public func verifyDecoy(_ password: String) async throws {
        let decoy = try await hash("kefu-decoy-password")
        _ = try await verify(password, hash: decoy)
    }
}
