import Foundation
import KefuCore
import KefuStore

/// Builds audit events with the actor, IP and time filled in. Scoped logs set the workspace themselves.
struct AuditTrail: Sendable {
    let clock: WallClock

    func event(
        _ action: AuditAction, actor: UserAccount?, actorLabel: String? = nil, target: String?, ip: String?,
        before: String? = nil, after: String? = nil, workspaceID: WorkspaceID? = nil
    ) -> AuditEvent {
        AuditEvent(
            id: AuditEventID(), workspaceID: workspaceID, actorUserID: actor?.id, actorLabel: actorLabel ?? actor?.email,
            action: action, target: target, ip: ip, before: before, after: after, createdAt: clock.now())
    }

    /// A compact JSON object for before/after columns.
    static func json(_ fields: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
