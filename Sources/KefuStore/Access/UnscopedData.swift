import FluentKit
import KefuCore
import SQLKit

/// Access that crosses workspaces by nature: finding a user by e-mail, a credential by its hash, a workspace by
/// slug, the system-wide audit records of failed sign-ins, and the sweeper's deletes. Nothing here returns
/// another workspace's business data.
public struct UnscopedData: Sendable {
    let database: any Database
    /// The store's write gate; nil inside a transaction.
    let gate: WriteGate?

    public var workspaces: any WorkspaceDirectory { SQLWorkspaceDirectory(db: database) }
    public var users: any UserRepository { SQLUserRepository(db: database) }
    public var credentials: any CredentialLookup { SQLCredentialLookup(db: database) }
    public var audit: any SystemAuditLog { SQLSystemAuditLog(db: database) }
    public var signInCounters: any SignInCounters { SQLSignInCounters(db: database) }
    /// Workers claim jobs of every workspace.
    public var jobQueue: any JobQueue { SQLJobQueue(db: database) }
    /// The delivery worker sends every workspace's e-mails and webhooks.
    public var deliveryQueue: any DeliveryQueue {
        get throws {
            guard let sql = database as? any SQLDatabase else { throw StoreError.unsupportedDatabase }
            return SQLDeliveryQueue(sql: sql)
        }
    }
    /// The SLA sweep looks at every workspace's due clocks.
    public var slaDue: any SLADueQueue { SQLSLADueQueue(db: database) }

    /// One workspace's repositories on the same handle (inside the same transaction).
    public func scoped(to workspace: WorkspaceID) -> WorkspaceData {
        WorkspaceData(workspace, database: database, gate: gate)
    }

    /// Runs `body` in one transaction; everything it wrote is undone if it throws.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (UnscopedData) async throws -> T) async throws -> T {
        guard let gate else { return try await body(self) }
        return try await database.writeTransaction(gate: gate) { tx in try await body(UnscopedData(database: tx, gate: nil)) }
    }
}

/// Creates `model`, turning a unique-constraint failure into the given conflict.
func createUnique(_ model: some Model, on db: any Database, conflict: DomainError.Conflict) async throws {
    do {
        try await model.create(on: db)
    } catch let error as any DatabaseError where error.isConstraintFailure {
        throw DomainError.conflict(conflict)
    }
}
