import Foundation
import KefuCore

/// Who is making a request, in which workspace, with which role, and by which credential.
public struct Identity: Sendable {
    public enum Credential: Sendable {
        case session(tokenHash: String, csrfToken: String)
        case token(id: TokenID, kind: APITokenInfo.Kind, expiresAt: Date?)
    }

    public var user: UserAccount
    public var workspace: Workspace
    public var role: Role
    public var credential: Credential

    public func can(_ permission: Permission) -> Bool { PermissionTable.allows(role, permission) }
}

/// A successful password check, before a session or token is issued.
public struct SignedIn: Sendable {
    public var user: UserAccount
    public var workspace: Workspace
    public var role: Role
}
