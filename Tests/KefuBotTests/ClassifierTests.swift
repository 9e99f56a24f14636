import Foundation
import PropertyBased
import Testing

@testable import KefuBot

/// A tiny bilingual training set for the behaviour tests.
enum Fixture {
    static let examples: [LabeledExample] = {
        let data: [(String, [String])] = [
            ("order_status", ["where is my order", "has my order shipped", "track my parcel", "我的订单到哪了", "物流到哪里了", "订单发货了吗"]),
            (
                "refund_status",
                ["where is my refund", "when do i get my money back", "refund not received", "退款什么时候到", "钱什么时候退回", "退款进度"]
            ),
            (
                "change_address",
                ["change my delivery address", "wrong address on order", "update shipping address", "修改收货地址", "地址填错了", "换个收货地址"]
            ),
            ("greeting", ["hello", "hi there", "good morning", "你好", "在吗", "您好"]),
        ]
        return data.flatMap { label, texts in texts.map { LabeledExample(text: $0, label: label) } }
    }()

    static func model() throws -> BotModel {
        var evaluation = Evaluation()
        evaluation.folds = 3
        return try evaluation.trainModel(examples, oosLabel: nil)
    }
}

@Suite struct ClassifierTests {
    @Test func learnsEnglishAndChinese() throws {
        let model = try IntentClassifier.train(Fixture.examples)
        #expect(model.classify("where's my order?").first?.label == "order_status")
        #expect(model.classify("退款到账了吗").first?.label == "refund_status")
        #expect(model.classify("收货地址要改一下").first?.label == "change_address")
        let total = model.classify("hello").map(\.probability).reduce(0, +)
        #expect(abs(total - 1) < 1e-4)
    }

    @Test func trainingIsDeterministicForASeed() throws {
        let a = try IntentClassifier.train(Fixture.examples)
        let b = try IntentClassifier.train(Fixture.examples)
        #expect(a.weights == b.weights, "same seed, same weights")
        #expect(a.network == b.network, "same seed, same network")
        #expect(a.network != nil)
        var options = TrainingOptions()
        options.seed = 7
        let c = try IntentClassifier.train(Fixture.examples, options: options)
        #expect(a.weights != c.weights, "another seed, other weights")
    }

    @Test func aSingleClassAndEmptyInputHaveDefinedResults() throws {
        let one = try IntentClassifier.train([
            LabeledExample(text: "hi", label: "greeting"), LabeledExample(text: "hello", label: "greeting"),
        ])
        #expect(one.classify("anything").first?.label == "greeting")
        #expect(one.classify("anything").first?.probability == 1)
        #expect(throws: BotError.noTrainingData) { try IntentClassifier.train([]) }
        let model = try IntentClassifier.train(Fixture.examples)
        #expect(model.classify("").count == 4)
        #expect(model.classify(String(repeating: "退款 ", count: 20_000)).first?.label == "refund_status")
    }

    @Test func savedModelsLoadIdentically() throws {
        let model = try Fixture.model()
        let data = try ModelCodec.encode(model)
        let loaded = try ModelCodec.decode(data)
        #expect(loaded.classifier.labels == model.classifier.labels)
        #expect(loaded.classifier.weights == model.classifier.weights)
        #expect(loaded.classifier.network == model.classifier.network)
        #expect(loaded.classifier.networkWeight == model.classifier.networkWeight)
        #expect(loaded.classifier.linearTemperature == model.classifier.linearTemperature)
        #expect(loaded.classifier.assess("退款进度") == model.classifier.assess("退款进度"))
        #expect(loaded.threshold == model.threshold)
        #expect(loaded.classifier.classify("退款进度") == model.classifier.classify("退款进度"))
        #expect(throws: BotError.self) { try ModelCodec.decode(data.prefix(data.count - 3)) }
        #expect(throws: BotError.self) { try ModelCodec.decode(Data("not a model".utf8)) }
    }

    @Test func anyTextClassifiesTheSameAfterASaveLoadRoundTrip() async throws {
        let model = try Fixture.model()
        let loaded = try ModelCodec.decode(try ModelCodec.encode(model))
        await propertyCheck(count: 200, input: Texts.mixed) { text in
            #expect(loaded.classifier.classify(text) == model.classifier.classify(text))
        }
    }

    @Test func aLinearOnlyModelStillSavesAndLoads() throws {
        var options = TrainingOptions()
        options.hiddenUnits = 0
        let linear = try IntentClassifier.train(Fixture.examples, options: options)
        #expect(linear.network == nil)
        let loaded = try ModelCodec.decode(try ModelCodec.encode(BotModel(classifier: linear, threshold: 0.2)))
        #expect(loaded.classifier.network == nil)
        #expect(loaded.classifier.classify("退款进度") == linear.classify("退款进度"))
    }

    @Test func aCorruptHeaderIsAnErrorNotACrash() throws {
        let data = try ModelCodec.encode(try Fixture.model())
        // Layout: 8-byte magic, UInt32 little-endian header length, JSON header, arrays.
        let length = data.subdata(in: 8..<12).withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
        var header = try #require(
            try JSONSerialization.jsonObject(with: data.subdata(in: 12..<12 + length)) as? [String: Any])
        for dimension in [Int.max / 2, -5] {
            header["dimension"] = dimension
            let json = try JSONSerialization.data(withJSONObject: header)
            var corrupt = data.prefix(8)
            withUnsafeBytes(of: UInt32(json.count).littleEndian) { corrupt.append(contentsOf: $0) }
            corrupt.append(json)
            corrupt.append(data.suffix(from: 12 + length))
            #expect(throws: BotError.self) { try ModelCodec.decode(corrupt) }
        }
    }

    @Test func bfloat16RoundingIsStableAndClose() async {
        await propertyCheck(input: Gen.int(in: -1_000_000...1_000_000)) { n in
            let value = Float(n) / 997
            let rounded = BFloat16.round(value)
            #expect(BFloat16.round(rounded) == rounded)
            #expect(abs(rounded - value) <= abs(value) / 128 + 1e-30)
        }
    }

    @Test func theLinearModelJudgesScopeAndTheAverageRanksIntents() throws {
        var model = try Fixture.model()
        model.outOfScopeLabel = "greeting"
        model.threshold = 0.5
        func assessment(top: String, scope: String, confidence: Double) -> IntentClassifier.Assessment {
            .init(
                intents: [.init(label: top, probability: 0.9), .init(label: "refund_status", probability: 0.1)],
                scope: .init(label: scope, probability: confidence))
        }
        #expect(model.handoffReason(assessment(top: "order_status", scope: "order_status", confidence: 0.8)) == nil)
        #expect(model.handoffReason(assessment(top: "order_status", scope: "refund_status", confidence: 0.8)) == nil)
        #expect(model.handoffReason(assessment(top: "order_status", scope: "greeting", confidence: 0.8)) == "out_of_scope")
        #expect(model.handoffReason(assessment(top: "greeting", scope: "order_status", confidence: 0.8)) == "out_of_scope")
        #expect(
            model.handoffReason(assessment(top: "order_status", scope: "order_status", confidence: 0.4)) == "low_confidence",
            "the linear model's confidence decides, not the average's 0.9")
        let real = model.classifier.assess("where is my order")
        #expect(real.intents.first?.label == "order_status")
        #expect(real.scope.label == "order_status")
        #expect(real.intents == model.classifier.classify("where is my order"))
    }

    @Test func trainingRefusesOptionsThatWouldLearnNothing() {
        for change in [
            { (o: inout TrainingOptions) in o.inputDropout = 1 }, { $0.inputDropout = -0.1 }, { $0.networkWeight = 1.5 },
            { $0.hiddenUnits = -1 }, { $0.epochs = 0 }, { $0.learningRate = 0 }, { $0.l2 = -1 },
        ] {
            var options = TrainingOptions()
            change(&options)
            #expect(throws: BotError.self) { try IntentClassifier.train(Fixture.examples, options: options) }
        }
        #expect(throws: Never.self) { try TrainingOptions().validate() }
    }

    @Test func inputDropoutKeepsAboutItsShareAndScalesWhatItKeeps() {
        let x = SparseVector(indices: (0..<10_000).map(Int32.init), values: [Float](repeating: 0.5, count: 10_000))
        var random = SeededRandom(seed: 3)
        let kept = x.droppingOut(0.6, using: &random)
        #expect((3_700...4_300).contains(kept.indices.count), "about 40 % kept: \(kept.indices.count)")
        #expect(kept.values.allSatisfy { abs($0 - 1.25) < 1e-6 }, "kept values scaled by 1 / 0.4")
        #expect(kept.indices == kept.indices.sorted(), "columns stay in order")
        var again = SeededRandom(seed: 3)
        #expect(x.droppingOut(0.6, using: &again) == kept, "same seed, same mask")
    }

    @Test func temperatureScalingFindsAReasonableTemperature() {
        // Over-confident logits on a task that is right only half the time: the fitted temperature should soften them.
        let samples: [(logits: [Float], target: Int)] = (0..<200).map { i in ([10, 0], i % 2) }
        #expect(Calibration.fitTemperature(samples) > 2)
        #expect(Calibration.expectedCalibrationError([(0.9, true), (0.9, false)]) > 0.3)
    }
}
