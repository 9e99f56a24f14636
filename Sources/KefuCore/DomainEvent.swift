/// Something that happened which other parts of the system (on this instance or, later, on others) react to.
public enum DomainEvent: Sendable, Equatable {
    /// Who may do what in a workspace changed: a credential, a membership, a role or the workspace profile that
    /// signed-in identities carry. Caches of resolved identities drop what they hold.
    case accessChanged(WorkspaceID)
}
