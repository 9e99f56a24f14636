import Foundation

/// One labelled utterance.
public struct LabeledExample: Sendable, Equatable, Codable {
    public var text: String
    public var label: String

    public init(text: String, label: String) {
        self.text = text
        self.label = label
    }
}

/// Training settings; the defaults were chosen by cross-validation on the shared training sets
/// (docs/BENCHMARKS.md).
public struct TrainingOptions: Sendable, Codable, Equatable {
    public var epochs = 12
    public var learningRate: Float = 0.6
    public var l2: Float = 1e-5
    public var seed: UInt64 = 42
    public var minFeatureCount = 1
    /// Hidden units of the network averaged with the linear model; 0 trains the linear model alone.
    public var hiddenUnits = 256
    public var hiddenEpochs = 20
    public var hiddenLearningRate: Float = 0.1
    /// Share of the network in the averaged probabilities.
    public var networkWeight: Float = 0.5
    /// Share of input features dropped at random for each training example of the network: without it the network
    /// memorises the few n-grams of each training question and adds little to the linear model.
    public var inputDropout: Float = 0.6

    public init() {}

    /// Throws for settings that would train nothing useful (a dropout of 1 drops every feature, say).
    public func validate() throws {
        func require(_ ok: Bool, _ reason: String) throws { if !ok { throw BotError.invalidOptions(reason) } }
        try require(epochs > 0 && hiddenEpochs > 0, "epochs must be at least 1")
        try require(learningRate > 0 && hiddenLearningRate > 0, "learning rates must be above 0")
        try require(l2 >= 0, "the L2 penalty cannot be negative")
        try require(hiddenUnits >= 0, "hidden units cannot be negative")
        try require((0...1).contains(networkWeight), "the network weight must be between 0 and 1")
        try require((0..<1).contains(inputDropout), "input dropout must be at least 0 and below 1")
    }
}

/// Intent classifier over hashed word and character n-gram TF-IDF features: a multinomial logistic regression
/// and, by default, a one-hidden-layer network on the same vectors, both trained with seeded SGD (deterministic for a
/// seed); their probabilities are averaged. Reported probabilities are that average sharpened or softened by a
/// temperature fitted on held-out folds.
public struct IntentClassifier: Sendable {
    public var labels: [String]
    public var vectorizer: Vectorizer
    /// The linear model, row-major: `weights[column * labels.count + class]`.
    public var weights: [Float]
    public var bias: [Float]
    /// The network averaged with the linear model, if trained.
    public var network: HiddenLayerClassifier?
    /// Share of the network in the averaged probabilities.
    public var networkWeight: Float = 0.5
    /// Softmax temperature from calibration (1 = raw).
    public var temperature: Float = 1
    /// Temperature of the linear model's own logits, which judge whether a question is in scope.
    public var linearTemperature: Float = 1

    public init(labels: [String], vectorizer: Vectorizer, weights: [Float], bias: [Float]) {
        self.labels = labels
        self.vectorizer = vectorizer
        self.weights = weights
        self.bias = bias
    }

    /// One class and its probability.
    public struct Score: Sendable, Equatable, Codable {
        public var label: String
        public var probability: Double
    }

    public static func train(_ examples: [LabeledExample], options: TrainingOptions = TrainingOptions()) throws
        -> IntentClassifier
    {
        let labels = Array(Set(examples.map(\.label))).sorted()
        try options.validate()
        guard !examples.isEmpty else { throw BotError.noTrainingData }
        let vectorizer = Vectorizer.fit(examples.map(\.text), minCount: options.minFeatureCount)
        let classIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let vectors = examples.map { vectorizer.transform($0.text) }
        let targets = examples.map { classIndex[$0.label] ?? 0 }
        let k = labels.count
        var model = IntentClassifier(
            labels: labels, vectorizer: vectorizer, weights: [Float](repeating: 0, count: vectorizer.dimension * k),
            bias: [Float](repeating: 0, count: k))
        guard k > 1 else { return model }
        SGDTrainer(classes: k, options: options).fit(vectors, targets, weights: &model.weights, bias: &model.bias)
        if options.hiddenUnits > 0 {
            model.network = HiddenLayerClassifier.train(
                vectors, targets, inputs: vectorizer.dimension, classes: k, hidden: options.hiddenUnits,
                epochs: options.hiddenEpochs, learningRate: options.hiddenLearningRate, inputDropout: options.inputDropout,
                seed: options.seed &+ 1)
            model.networkWeight = options.networkWeight
        }
        return model
    }

    /// Linear scores of one model: `bias + x · W`.
    static func linear(_ x: SparseVector, weights: [Float], bias: [Float], into scores: inout [Float]) {
        let k = bias.count
        for c in 0..<k { scores[c] = bias[c] }
        weights.withUnsafeBufferPointer { w in
            scores.withUnsafeMutableBufferPointer { s in
                for (column, value) in zip(x.indices, x.values) {
                    let row = Int(column) * k
                    for c in 0..<k { s[c] += value * w[row + c] }
                }
            }
        }
    }

    /// Scores before calibration: the log of the averaged probabilities (they play the part of logits for temperature
    /// scaling: a softmax of log-probabilities gives them back) and the linear model's own logits. Without a network
    /// both are the linear logits.
    public func rawScores(_ text: String) -> (combined: [Float], linear: [Float]) {
        let k = labels.count
        guard k > 0 else { return ([], []) }
        let x = vectorizer.transform(text)
        var linear = [Float](repeating: 0, count: k)
        Self.linear(x, weights: weights, bias: bias, into: &linear)
        guard let network else { return (linear, linear) }
        var combined = linear
        softmax(&combined, temperature: 1)
        let other = network.probabilities(x)
        let share = min(max(networkWeight, 0), 1)
        for c in 0..<k { combined[c] = logf(max((1 - share) * combined[c] + share * other[c], 1e-30)) }
        return (combined, linear)
    }

    public func logits(_ text: String) -> [Float] { rawScores(text).combined }

    /// One text as the model sees it: every class with its calibrated probability, most likely first, and the linear
    /// model's calibrated top class, which `BotModel.handoffReason` uses to judge scope.
    public struct Assessment: Sendable, Equatable {
        public var intents: [Score]
        public var scope: Score
    }

    public func assess(_ text: String) -> Assessment {
        let (combined, linear) = rawScores(text)
        let intents = ranked(combined, temperature: temperature)
        let scope =
            network == nil
            ? intents.first ?? Score(label: "", probability: 0)
            : Calibration.top(logits: linear, labels: labels, temperature: linearTemperature)
        return Assessment(intents: intents, scope: scope)
    }

    /// All classes with calibrated probabilities, most likely first.
    public func classify(_ text: String) -> [Score] {
        ranked(logits(text), temperature: temperature)
    }

    private func ranked(_ logits: [Float], temperature: Float) -> [Score] {
        var scores = logits
        softmax(&scores, temperature: temperature)
        return zip(labels, scores).map { Score(label: $0, probability: Double($1)) }.sorted {
            $0.probability != $1.probability ? $0.probability > $1.probability : $0.label < $1.label
        }
    }
}

/// Seeded stochastic gradient descent on the softmax cross-entropy with a decaying learning rate and a lazy L2
/// penalty on the columns an example touches.
struct SGDTrainer {
    var classes: Int
    var options: TrainingOptions

    func fit(_ vectors: [SparseVector], _ targets: [Int], weights: inout [Float], bias: inout [Float]) {
        let k = classes
        var order = Array(vectors.indices)
        var random = SeededRandom(seed: options.seed)
        var scores = [Float](repeating: 0, count: k)
        var step = 0
        let total = Float(max(1, options.epochs * vectors.count))
        for _ in 0..<options.epochs {
            order.shuffle(using: &random)
            for index in order {
                let x = vectors[index]
                let lr = options.learningRate * (1 - Float(step) / total) + 0.01
                step += 1
                IntentClassifier.linear(x, weights: weights, bias: bias, into: &scores)
                softmax(&scores, temperature: 1)
                scores[targets[index]] -= 1  // gradient of the loss wrt the logits
                let decay = lr * options.l2
                weights.withUnsafeMutableBufferPointer { w in
                    for (column, value) in zip(x.indices, x.values) {
                        let row = Int(column) * k
                        let scale = lr * value
                        for c in 0..<k {
                            w[row + c] -= scale * scores[c] + decay * w[row + c]
                        }
                    }
                }
                for c in 0..<k { bias[c] -= lr * scores[c] * 0.1 }
            }
        }
    }
}

func softmax(_ scores: inout [Float], temperature: Float) {
    guard let maximum = scores.max() else { return }
    var sum: Float = 0
    for i in scores.indices {
        scores[i] = expf((scores[i] - maximum) / temperature)
        sum += scores[i]
    }
    for i in scores.indices { scores[i] /= sum }
}

/// SplitMix64: a small, seedable generator so training is reproducible.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// What the engine refuses, with a reason a person can act on.
public enum BotError: Error, Equatable, CustomStringConvertible {
    case noTrainingData
    case malformedCSV(line: Int, reason: String)
    case unsupportedModel(String)
    case invalidOptions(String)

    public var description: String {
        switch self {
        case .noTrainingData: "no training examples"
        case .malformedCSV(let line, let reason): "malformed CSV at line \(line): \(reason)"
        case .unsupportedModel(let reason): "cannot read the model: \(reason)"
        case .invalidOptions(let reason): "invalid training options: \(reason)"
        }
    }
}
