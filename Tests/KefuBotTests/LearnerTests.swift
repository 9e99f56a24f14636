import KefuBot
import Testing

@Suite struct LearnerTests {
    @Test func correctionsChangeTheAnswerAndBumpTheVersion() throws {
        var learner = Learner()
        learner.evaluation.folds = 3
        let first = try learner.retrain(base: Fixture.examples, corrections: [], previous: nil, oosLabel: nil)
        #expect(first.version == 1)
        let text = "can I get a discount code"
        let corrections = (0..<4).map { i in
            LabeledExample(text: i == 0 ? text : "\(text) \(["now", "today", "please"][i - 1])", label: "coupon")
        }
        let second = try learner.retrain(base: Fixture.examples, corrections: corrections, previous: first, oosLabel: nil)
        #expect(second.version == 2)
        #expect(second.classifier.labels.contains("coupon"))
        #expect(second.classifier.classify(text).first?.label == "coupon")
    }

    @Test func aCorrectionReplacesTheOldLabelOfTheSameText() {
        let merged = Learner().merge(
            base: [LabeledExample(text: "Where is my order", label: "greeting")],
            corrections: [LabeledExample(text: "where is my order ", label: "order_status")])
        #expect(merged == [LabeledExample(text: "where is my order ", label: "order_status")])
    }
}
