/// Errors the domain and storage layers raise; the server maps each to one HTTP status and code, and words the
/// reason in the reader's language (catalogue keys `errors.<kind>.<reason>`).
public enum DomainError: Error, Sendable, Equatable {
    case notFound(Resource)
    case conflict(Conflict)
    case forbidden(Refusal)
    case invalid(ValidationErrors)
    case unauthenticated
    case rateLimited(retryAfterSeconds: Int)

    /// What was not found.
    public enum Resource: String, Sendable, CaseIterable {
        case workspace, member, membership, token, team, invitation, user, article, category, revision, faq, intent, phrase
        case botModel = "bot_model"
        case job
        case template
        case contact, conversation, message, attachment
        case cannedReply = "canned_reply"
        case sensitiveWord = "sensitive_word"
        case testClock = "test_clock"
        case ticket
        case ticketView = "ticket_view"
        case slaPolicy = "sla_policy"
        case action
        case ticketField = "ticket_field"
        case delivery
    }

    /// Why a change clashes with what is stored.
    public enum Conflict: String, Sendable, CaseIterable {
        case workspaceSlugTaken = "workspace_slug_taken"
        case emailTaken = "email_taken"
        case alreadyMember = "already_member"
        case teamNameTaken = "team_name_taken"
        case alreadyInTeam = "already_in_team"
        case invitationUsed = "invitation_used"
        case lastOwner = "last_owner"
        /// The database stayed busy with other writers longer than the busy timeout.
        case busy
        /// The invited e-mail has an account: its owner signs in and accepts as themselves.
        case signInToAccept = "sign_in_to_accept"
        /// The edit names a version of the entry that is no longer the latest: someone else saved in between.
        case staleVersion = "stale_version"
        case intentLabelTaken = "intent_label_taken"
        case categoryKeyTaken = "category_key_taken"
        case phraseExists = "phrase_exists"
        /// The article already has a translation in this language.
        case translationExists = "translation_exists"
        /// The workspace has no trained model to answer with yet.
        case noActiveModel = "no_active_model"
        /// The conversation is already assigned to someone else.
        case alreadyAssigned = "already_assigned"
        /// The change does not apply in the conversation's current status (e.g. replying to a resolved one).
        case conversationClosed = "conversation_closed"
        /// Another contact already has this e-mail or phone number: an agent merges the two if they are one person.
        case identityTaken = "identity_taken"
        case shortcutTaken = "shortcut_taken"
        case wordListed = "word_listed"
        /// Contacts of one person are merged into one; a contact cannot be merged into itself.
        case sameContact = "same_contact"
        /// A request with this idempotency key is being made or was made by someone at the same moment.
        case duplicateRequest = "duplicate_request"
        /// The idempotency key was used before with a different request.
        case idempotencyKeyReused = "idempotency_key_reused"
        /// A closed ticket is final: a follow-up is a new ticket.
        case ticketClosed = "ticket_closed"
        case sameTicket = "same_ticket"
        case actionNameTaken = "action_name_taken"
        case fieldKeyTaken = "field_key_taken"
        /// Only a dead delivery is queued again by hand; a queued one is already on its way.
        case deliveryNotDead = "delivery_not_dead"
    }

    /// Why a permitted route still refuses this particular change.
    public enum Refusal: String, Sendable, CaseIterable {
        case cannotGrantRole = "cannot_grant_role"
        case cannotChangeMember = "cannot_change_member"
        case cannotRemoveMember = "cannot_remove_member"
        case invitationForSomeoneElse = "invitation_for_someone_else"
        /// Only supervisors and up reassign a conversation that is not the agent's own.
        case cannotChangeConversation = "cannot_change_conversation"
        /// A session cookie came with a socket opened by another site's page.
        case crossSiteSocket = "cross_site_socket"
        /// Shared ticket views are kept by supervisors and up; members keep their own.
        case cannotChangeSharedView = "cannot_change_shared_view"
    }
}
