import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KefuBot
import KefuCore
import KefuDemoShop
import KefuStore
import KefuTestSupport
import Testing

@testable import KefuServer

/// Flows call business actions against the demo shop's backend as a real HTTP server that checks signatures: the
/// customer gets the real order status, failures take the flow's failure branch, agents see each call.
@Suite(.timeLimit(.minutes(30))) struct ActionFlowTests {
    @Test func theOrderFlowAnswersFromTheBackendAndFailuresTakeTheFailureBranch() async throws {
        try await TestApp.run(live: true) { app, client in
            _ = try await app.member("owner@shop.example", workspace: "demo-shop", role: .owner, client: client)
            let deps = app.dependencies
            let shopActions = DemoShopActions(store: deps.store, actions: deps.actions, clock: deps.clock)
            try await DemoShopServer.run(secret: { await shopActions.secret() }) { port, _ in
                try await shopActions.point(at: port)
                let workspace = try await app.workspaceID("demo-shop")
                let owner = try #require(try await deps.store.unscoped.workspaces.workspace(slug: "demo-shop"))
                let data = deps.store.scoped(to: workspace)
                let conversation = try await data.conversations.start(
                    contact: try await data.contacts.create(name: nil, at: Date()).id, status: .bot, locale: .zhCN, team: nil,
                    at: Date())
                let flow = try Flow.load(
                    json: try Data(
                        contentsOf: try ResourceFiles.base().appendingPathComponent("scenarios/ecommerce/flows/order_status.json")
                    ))
                func ask(_ text: String) async throws -> (FlowTurn, [NewMessage]) {
                    let runner = FlowActionRunner(
                        actions: deps.actions, tickets: nil, workspace: owner, conversation: conversation.id, locale: .zhCN)
                    let turn = try await FlowRunner().start(flow, message: text, actions: runner)
                    return (turn, runner.lines)
                }

                let (found, lines) = try await ask("我的订单 123456 到哪了")
                #expect(found.status == .ended)
                #expect(found.messages.first?.contains("已发货 Shipped") == true, "\(found.messages)")
                #expect(found.messages.first?.contains("2026-11-27") == true)
                #expect(lines.count == 1 && lines[0].isPrivate && lines[0].kind == .event)
                #expect(lines[0].body.contains("\"outcome\":\"found\""))

                let (missing, _) = try await ask("订单 999999 怎么还没到")
                #expect(missing.messages.first?.contains("没有找到订单 999999") == true)
                #expect(missing.status == .handoff)

                // The backend down (a path that is not JSON) or hanging: the friendly failure branch, then a person.
                var action = try #require(try await data.actions.action(named: "query_order"))
                action.url = "http://127.0.0.1:\(port)/api/not-json?o={{order_number}}"
                try await data.actions.save(action)
                let (broken, brokenLines) = try await ask("我的订单 123456 到哪了")
                #expect(broken.status == .handoff)
                #expect(broken.messages.first?.contains("订单系统暂时没有响应") == true)
                #expect(brokenLines.first?.body.contains("not_json") == true)
                action.url = "http://127.0.0.1:\(port)/api/slow?o={{order_number}}"
                action.timeoutMilliseconds = 300
                try await data.actions.save(action)
                let started = ContinuousClock.now
                let (slow, slowLines) = try await ask("我的订单 123456 到哪了")
                #expect(ContinuousClock.now - started < .seconds(5), "a GET is retried once, each try timed out")
                #expect(slow.status == .handoff)
                #expect(slowLines.first?.body.contains("timeout") == true)
                // A redirect to a metadata address is refused even though the first hop was allow-listed.
                action.url = "http://127.0.0.1:\(port)/api/redirect?to=http%3A%2F%2F169.254.169.254%2F&o={{order_number}}"
                action.timeoutMilliseconds = 2000
                try await data.actions.save(action)
                let (redirected, redirectLines) = try await ask("我的订单 123456 到哪了")
                #expect(redirected.status == .handoff)
                #expect(redirectLines.first?.body.contains("url_not_allowed") == true)

                let calls = try await data.actions.calls(action.id, limit: 20)
                #expect(calls.count >= 5)
                #expect(calls.allSatisfy { !$0.target.contains("?") }, "no query strings in the log")
            }
        }
    }
}
