import Foundation
import KefuCore
import KefuStore
import NIOPosix

/// With `--demo`: the demo shop's backend runs in this process on a free loopback port, and the demo workspace's
/// actions point at it (allow-listed), made on first start and moved to the new port on every start.
struct DemoShopActions: Sendable {
    let store: Store
    let actions: ActionService
    let clock: WallClock

    /// A free loopback port, found by binding port 0 (the backend binds it right after).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 8099
        try await channel.close()
        return port
    }

    struct Definition {
        var name: String
        var method: BusinessAction.Method
        var path: String
        var inputs: [BusinessAction.Input]
        var mapping: [String: String]
        var reply: [String: String]
    }

    static let definitions: [Definition] = [
        Definition(
            name: "query_order", method: .GET, path: "/api/orders/{{order_number}}",
            inputs: [.init(name: "order_number", kind: "order_number", required: true)],
            mapping: ["status": "$.order.status_text", "eta": "$.order.eta", "carrier": "$.order.carrier"],
            reply: [
                "zh-CN": "订单 {{order_number}}：{{status}}，{{carrier}}，预计 {{eta}} 送达。",
                "en": "Order {{order_number}}: {{status}} with {{carrier}}, expected by {{eta}}.",
            ]),
        Definition(
            name: "file_return", method: .POST, path: "/api/returns",
            inputs: [
                .init(name: "order_number", kind: "order_number", required: true),
                .init(name: "reason", kind: "text", required: false),
            ],
            mapping: ["return_id": "$.return.id"],
            reply: ["zh-CN": "退货申请 {{return_id}} 已提交。", "en": "Return {{return_id}} has been filed."]),
        Definition(
            name: "query_balance", method: .GET, path: "/api/accounts/{{phone}}/balance",
            inputs: [.init(name: "phone", kind: "phone", required: true)], mapping: ["balance": "$.account.balance"],
            reply: ["zh-CN": "您的账户余额为 ¥{{balance}}。", "en": "Your balance is ¥{{balance}}."]),
        Definition(
            name: "query_bill", method: .GET, path: "/api/accounts/{{phone}}/bills",
            inputs: [.init(name: "phone", kind: "phone", required: true)],
            mapping: ["bill_month": "$.bills[0].month", "bill_amount": "$.bills[0].amount", "bill_due": "$.bills[0].due"],
            reply: [
                "zh-CN": "{{bill_month}} 账单 ¥{{bill_amount}}，{{bill_due}} 前缴清。",
                "en": "Your {{bill_month}} bill is ¥{{bill_amount}}, due {{bill_due}}.",
            ]),
    ]

    /// The demo workspace's current signing secret (an owner may rotate it while the demo runs).
    func secret() async -> String? {
        guard let workspace = try? await store.unscoped.workspaces.workspace(slug: DemoSeeder.slug),
            let settings = try? await store.scoped(to: workspace.id).actions.settings()
        else { return nil }
        return try? actions.caller.box.open(settings.sealedSigningSecret)
    }

    /// Points the demo workspace's actions at the backend on `port`.
    func point(at port: Int) async throws {
        guard let workspace = try await store.unscoped.workspaces.workspace(slug: DemoSeeder.slug) else { return }
        let data = store.scoped(to: workspace.id)
        var settings = try await actions.settings(data)
        settings.allowlist = ["127.0.0.1:\(port)"]
        settings.slaWebhookURL = "http://127.0.0.1:\(port)/api/webhooks/sla"
        try await data.actions.setSettings(settings, at: clock.now())
        for definition in Self.definitions {
            let url = "http://127.0.0.1:\(port)" + definition.path
            let now = clock.now()
            if var existing = try await data.actions.action(named: definition.name) {
                // The demo's own definition wins over the template's example (switched off, pointing elsewhere).
                existing.url = url
                existing.method = definition.method
                existing.inputs = definition.inputs
                existing.mapping = definition.mapping
                existing.reply = definition.reply
                existing.enabled = true
                existing.updatedAt = now
                try await data.actions.save(existing)
            } else {
                try await data.actions.insert(
                    BusinessAction(
                        id: BusinessActionID(), workspaceID: workspace.id, name: definition.name, method: definition.method,
                        url: url, headers: [], inputs: definition.inputs, mapping: definition.mapping,
                        reply: definition.reply, timeoutMilliseconds: BusinessAction.defaultTimeoutMilliseconds,
                        enabled: true, createdAt: now, updatedAt: now))
            }
        }
    }
}
