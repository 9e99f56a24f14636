import Foundation
import KefuBot
import Testing

@Suite struct KnowledgeBaseTests {
    func kb() -> KnowledgeBase {
        var kb = KnowledgeBase()
        kb.upsert(
            FAQEntry(
                id: "refund", questions: ["退款多久到账", "when will I get my refund"],
                answer: "退款会在 1-3 个工作日原路退回。Refunds arrive in 1-3 business days.", intent: "refund_status"))
        kb.upsert(
            FAQEntry(
                id: "address", questions: ["怎么修改收货地址", "how do I change my address"], answer: "发货前可以在订单详情里修改地址。",
                intent: "change_address"))
        kb.upsert(Article(id: "shipping", title: "Shipping times 配送时间", body: "Orders ship within 24 hours. 我们在 24 小时内发货。"))
        return kb
    }

    @Test func findsTheRightEntryInEitherLanguage() {
        #expect(kb().search("refund when").first?.id == "faq:refund")
        #expect(kb().search("修改地址").first?.id == "faq:address")
        #expect(kb().search("how long does shipping take").first?.id == "article:shipping")
        #expect(kb().search("refund").first?.snippet.contains("«Refund") == true)
    }

    @Test func updatesAndDeletesAreIncremental() {
        var kb = kb()
        kb.upsert(FAQEntry(id: "refund", questions: ["发票怎么开"], answer: "在订单页申请发票。"))
        #expect(kb.search("退款多久到账").first?.id != "faq:refund")
        #expect(kb.search("发票").first?.id == "faq:refund")
        kb.remove(id: "faq:refund")
        #expect(kb.search("发票").allSatisfy { $0.id != "faq:refund" })
        #expect(kb.count == 2)
        #expect(KnowledgeBase().search("anything").isEmpty)
    }
}

@Suite struct BotEngineTests {
    func engine() throws -> BotEngine {
        var kb = KnowledgeBase()
        kb.upsert(
            FAQEntry(
                id: "refund", questions: ["退款多久到账", "where is my refund"], answer: "Refunds take 1-3 days.",
                intent: "refund_status"))
        return BotEngine(model: try Fixture.model(), knowledge: kb)
    }

    @Test func answersFromTheKnowledgeBaseWithSources() throws {
        let decision = try engine().decide("where is my refund", context: ConversationContext())
        #expect(decision.kind == .answer)
        #expect(decision.sources.first?.id == "faq:refund")
        #expect(decision.intents.first?.label == "refund_status")
        #expect(decision.intents.count == 3)
    }

    @Test(arguments: ["转人工", "我要人工客服", "can I talk to a human", "agent please"])
    func handsOffWhenAskedForAPerson(_ text: String) throws {
        let decision = try engine().decide(text, context: ConversationContext())
        #expect(decision.kind == .handoff)
        #expect(decision.reasons == ["customer_asked_for_human"])
    }

    @Test func handsOffOnAngerAndAfterTwoFailedAnswers() throws {
        #expect(try engine().decide("你们就是骗子，我要投诉！！！", context: ConversationContext()).reasons == ["anger_or_complaint_detected"])
        #expect(
            try engine().decide("where is my refund", context: ConversationContext(failedAnswers: 2)).reasons == [
                "two_failed_answers"
            ])
    }

    @Test func emptyOrSymbolOnlyMessagesAskAgain() throws {
        #expect(try engine().decide("", context: ConversationContext()).kind == .clarify)
        #expect(try engine().decide("😀😀", context: ConversationContext()).kind == .clarify)
        #expect(try engine().decide("？？？", context: ConversationContext()).kind == .clarify)
    }

    @Test func sentimentHandlesNegation() {
        #expect(SentimentAnalyzer().score("我很生气").isAngry)
        #expect(!SentimentAnalyzer().score("我不生气，只是问问").isAngry)
        #expect(SentimentAnalyzer().score("urgent, please reply ASAP").urgency >= 0.5)
    }
}
