import Foundation
import KefuBot
import Testing

/// The fake action table the tests use in place of the server's webhooks.
struct FakeActions: FlowActions {
    func call(_ action: String, slots: [String: String]) async throws -> ActionResult {
        switch (action, slots["order_number"]) {
        case ("query_order", "123456"): ActionResult(outcome: "found", values: ["status": "已发货", "eta": "明天"])
        case ("query_order", _): ActionResult(outcome: "not_found")
        default: ActionResult(outcome: "error")
        }
    }
}

@Suite struct FlowTests {
    static let flowFile = TestPaths.orderStatusFlow

    func flow() throws -> Flow { try Flow.load(json: Data(contentsOf: Self.flowFile)) }

    @Test func slotsGivenUpFrontSkipTheQuestion() async throws {
        let turn = try await FlowRunner().start(try flow(), message: "我的订单 123456 还没到", actions: FakeActions())
        #expect(turn.status == .ended)
        #expect(turn.messages == ["订单 123456：已发货，预计 明天 送达。"])
    }

    @Test func asksValidatesRetriesAndBranches() async throws {
        let runner = FlowRunner()
        let first = try await runner.start(try flow(), message: "查订单", actions: FakeActions())
        #expect(first.status == .waiting)
        let state = try #require(first.state)
        let bad = try await runner.resume(try flow(), state: state, message: "不知道", actions: FakeActions())
        #expect(bad.messages.first?.contains("6 位以上") == true)
        let badState = try #require(bad.state)
        #expect(badState.retries == 1)
        let notFound = try await runner.resume(try flow(), state: badState, message: "是 999999", actions: FakeActions())
        #expect(notFound.status == .handoff)
        #expect(notFound.messages == ["没有找到订单 999999。", "正在为您转接人工客服。"])
    }

    @Test func customersCanCancelAndRepeatedNonsenseHandsOff() async throws {
        let runner = FlowRunner()
        let state = try #require(try await runner.start(try flow(), message: "hi", actions: FakeActions()).state)
        #expect(try await runner.resume(try flow(), state: state, message: "算了，不查了", actions: FakeActions()).status == .cancelled)
        var current = state
        var last: FlowTurn?
        for _ in 0..<3 {
            last = try await runner.resume(try flow(), state: current, message: "???", actions: FakeActions())
            if let next = last?.state { current = next }
        }
        #expect(last?.status == .handoff)
    }

    @Test func theStateIsAPureCodableValue() throws {
        let state = FlowState(flowID: "order_status", stepID: "ask_order", slots: ["x": "1"], retries: 1)
        let data = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(FlowState.self, from: data) == state)
    }

    @Test func brokenFlowsAreRejected() {
        let json = #"{"id":"f","start":"a","steps":{"a":{"type":"message","text":"hi","next":"missing"}}}"#
        #expect(throws: FlowError.unknownStep("a → missing")) { try Flow.load(json: Data(json.utf8)) }
    }
}

@Suite struct SlotExtractorTests {
    // Sunday 2026-11-22, noon in Shanghai.
    let extractor = SlotExtractor(today: Date(timeIntervalSince1970: 1_795_320_000))

    @Test func findsValuesInFreeText() {
        #expect(extractor.extract(.orderNumber, from: "订单号202405183379，帮我查下") == "202405183379")
        #expect(extractor.extract(.phone, from: "我的手机是 13812345678 谢谢") == "13812345678")
        #expect(extractor.extract(.phone, from: "call me at +44 20 7946 0958") == "+442079460958")
        #expect(extractor.extract(.email, from: "Mail: Jane.Doe@Example.com please") == "jane.doe@example.com")
        #expect(extractor.extract(.amount, from: "退我 199.5 元") == "199.5")
        #expect(extractor.extract(.choice, from: "我要换成红色的", options: ["红色", "蓝色"]) == "红色")
        #expect(extractor.extract(.orderNumber, from: "没有订单号") == nil)
    }

    @Test func understandsDatesInChineseAndEnglish() {
        #expect(extractor.extract(.date, from: "2026-12-01 送到") == "2026-12-01")
        #expect(extractor.extract(.date, from: "2026年12月1日") == "2026-12-01")
        #expect(extractor.extract(.date, from: "明天可以吗") == "2026-11-23")
        #expect(extractor.extract(.date, from: "tomorrow please") == "2026-11-23")
        #expect(extractor.extract(.date, from: "下周一") == "2026-11-23")
        #expect(extractor.extract(.date, from: "周三") == "2026-11-25")
        #expect(extractor.extract(.date, from: "2026-02-30") == nil)
    }
}

@Suite struct EngineFlowTests {
    @Test func anIntentStartsItsFlowAndTheNextMessageContinuesIt() async throws {
        let flow = try Flow.load(json: Data(contentsOf: FlowTests.flowFile))
        let engine = BotEngine(model: try Fixture.model(), flows: ["order_status": "order_status"])
        let (first, context) = try await engine.handle(
            "where is my order", context: ConversationContext(), flows: ["order_status": flow], actions: FakeActions())
        #expect(first.kind == .startFlow)
        #expect(first.text?.contains("订单号") == true)
        #expect(context.flow?.stepID == "ask_order")
        let (second, after) = try await engine.handle(
            "123456", context: context, flows: ["order_status": flow], actions: FakeActions())
        #expect(second.kind == .answer)
        #expect(second.text == "订单 123456：已发货，预计 明天 送达。")
        #expect(after.flow == nil)
    }
}
