import Foundation
import KefuCore
import KefuStore
import Testing

/// The business actions' part of the isolation test: an action, one logged call and the settings per workspace.
extension ScopedAccessIsolationTests {
    func seedAction(_ data: WorkspaceData, slug: String, at now: Date) async throws -> BusinessAction {
        let action = BusinessAction(
            id: BusinessActionID(), workspaceID: data.workspaceID, name: "query_order", method: .GET,
            url: "https://\(slug).example/orders/{{order}}", headers: [], inputs: [], mapping: [:], reply: [:],
            timeoutMilliseconds: 5000, enabled: true, createdAt: now, updatedAt: now)
        try await data.actions.insert(action)
        try await data.actions.log(
            ActionCall(
                id: UUID(), actionID: action.id, conversationID: nil, outcome: .found, statusCode: 200,
                durationMilliseconds: 3, error: nil, target: slug, createdAt: now))
        try await data.actions.setSettings(ActionSettings(sealedSigningSecret: "sealed-\(slug)", allowlist: [slug]), at: now)
        return action
    }

    func checkActions(_ scopedA: WorkspaceData, a: Seeded, b: Seeded, at now: Date) async throws {
        #expect(try await scopedA.actions.all().map(\.id) == [a.action.id])
        #expect(try await scopedA.actions.action(named: "query_order")?.id == a.action.id)
        #expect(try await scopedA.actions.calls(b.action.id, limit: 10).isEmpty)
        #expect(try await scopedA.actions.settings()?.allowlist == ["shop-a"])
        await #expect(throws: DomainError.notFound(.action)) { _ = try await scopedA.actions.action(b.action.id) }
        var changed = b.action
        changed.url = "https://evil.example/"
        await #expect(throws: DomainError.notFound(.action)) { try await scopedA.actions.save(changed) }
        await #expect(throws: DomainError.notFound(.action)) { try await scopedA.actions.delete(b.action.id) }
        // A call naming B's action is not logged anywhere.
        try await scopedA.actions.log(
            ActionCall(
                id: UUID(), actionID: b.action.id, conversationID: nil, outcome: .failed, statusCode: nil,
                durationMilliseconds: 1, error: nil, target: "x", createdAt: now))
    }
}
