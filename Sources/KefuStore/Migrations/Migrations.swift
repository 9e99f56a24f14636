/// The ordered list of every migration, for SQLite and PostgreSQL alike.
public enum Migrations {
    public static let all: [any SchemaMigration] = [
        M0001CreateAccounts(),
        M0002CreateTeams(),
        M0003CreateCredentials(),
        M0004CreateAuditEvents(),
        M0005CreateSignInThrottle(),
        M0006AddInvitationRevocation(),
        M0007CreateKnowledgeAndBot(),
        M0008CreateConversations(),
        M0009CreateChatTools(),
        M0010CreateRouting(),
        M0011CreateBusinessHours(),
        M0012CreateTickets(),
        M0013CreateActions(),
        M0014CreateTicketDeflections(),
        M0015AddTicketCountIndex(),
        M0016AddSLAWebhookAndChatTickets(),
        M0017CreateTicketFields(),
        M0018KeyClientIDsBySender(),
        M0019AddAttachmentDigestIndex(),
        M0020CreateDeliveries(),
        M0021CreateEmailSettings(),
    ]

    public static var latestVersion: Int { all.map(\.version).max() ?? 0 }
}
