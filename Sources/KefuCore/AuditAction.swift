/// The audited actions; their raw values are stable codes shown in the audit log and the API.
public enum AuditAction: String, Codable, Sendable, CaseIterable {
    case signIn = "auth.sign_in"
    case signInFailed = "auth.sign_in_failed"
    case signOut = "auth.sign_out"
    case tokenCreated = "token.created"
    case tokenRevoked = "token.revoked"
    case memberInvited = "member.invited"
    case memberJoined = "member.joined"
    case memberAdded = "member.added"
    case memberRoleChanged = "member.role_changed"
    case memberRemoved = "member.removed"
    case settingsChanged = "settings.changed"
    case passwordReset = "auth.password_reset"
    case invitationRevoked = "member.invitation_revoked"
    case invitationFailed = "member.invitation_failed"
    case contactMerged = "contact.merged"
}
