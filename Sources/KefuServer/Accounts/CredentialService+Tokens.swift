import Foundation
import KefuCore
import KefuStore

extension CredentialService {
    /// Creates a personal API token; the secret is returned once and stored only as a hash.
    public func createPersonalToken(_ identity: Identity, name: String, ip: String?) async throws -> (
        token: String, info: APITokenInfo
    ) {
        let name = try Validate.name(name, field: "name")
        let token = Secrets.token(prefix: "kefu_pat_")
        // A token can only make tokens that live no longer than itself: a short-lived bearer token from a password
        // sign-in must not mint one that never expires.
        let expiresAt: Date? = if case .token(_, _, let limit) = identity.credential { limit } else { nil }
        let info = try await store.scoped(to: identity.workspace.id).transaction { [audit, clock] data in
            let info = try await data.tokens.create(
                userID: identity.user.id, name: name, kind: .personal, tokenHash: Secrets.hash(token), at: clock.now(),
                expiresAt: expiresAt)
            try await data.audit.append(
                audit.event(.tokenCreated, actor: identity.user, target: "token:\(info.id) \(name)", ip: ip))
            return info
        }
        return (token, info)
    }

    public func personalTokens(_ identity: Identity) async throws -> [APITokenInfo] {
        try await store.scoped(to: identity.workspace.id).tokens.personal(userID: identity.user.id)
    }

    public func revokeToken(_ identity: Identity, id: TokenID, ip: String?) async throws -> APITokenInfo {
        let info = try await store.scoped(to: identity.workspace.id).transaction { [audit, clock] data in
            let info = try await data.tokens.revoke(id: id, userID: identity.user.id, at: clock.now())
            try await data.audit.append(
                audit.event(.tokenRevoked, actor: identity.user, target: "token:\(id) \(info.name)", ip: ip))
            return info
        }
        events.publish(.accessChanged(identity.workspace.id))
        return info
    }
}
