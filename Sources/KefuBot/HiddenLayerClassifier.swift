import Foundation

/// A one-hidden-layer network (ReLU) over the same sparse TF-IDF vector as the linear model, trained with seeded SGD
/// and input dropout. It sees word and character n-grams in combination, which a linear model cannot; averaged with
/// the linear model's probabilities it adds about 1.4 points on BANKING77 under cross-validation (docs/BENCHMARKS.md).
/// First-layer weights are kept at bfloat16 precision so the saved model is half the size and loads back bit for bit.
public struct HiddenLayerClassifier: Sendable, Equatable {
    public var inputs: Int
    public var hidden: Int
    public var classes: Int
    /// Row-major `inputs × hidden`.
    public var inputWeights: [Float]
    public var hiddenBias: [Float]
    /// Row-major `hidden × classes`.
    public var outputWeights: [Float]
    public var outputBias: [Float]

    public init(
        inputs: Int, hidden: Int, classes: Int, inputWeights: [Float], hiddenBias: [Float], outputWeights: [Float],
        outputBias: [Float]
    ) {
        self.inputs = inputs
        self.hidden = hidden
        self.classes = classes
        self.inputWeights = inputWeights
        self.hiddenBias = hiddenBias
        self.outputWeights = outputWeights
        self.outputBias = outputBias
    }

    /// Trains on sparse vectors and class indices; deterministic for `seed`.
    static func train(
        _ vectors: [SparseVector], _ targets: [Int], inputs: Int, classes: Int, hidden: Int, epochs: Int,
        learningRate: Float, inputDropout: Float = 0, seed: UInt64
    ) -> HiddenLayerClassifier {
        var random = SeededRandom(seed: seed)
        let inputScale: Float = 0.1
        let outputScale = (6 / Float(hidden + classes)).squareRoot()
        var model = HiddenLayerClassifier(
            inputs: inputs, hidden: hidden, classes: classes,
            inputWeights: (0..<(inputs * hidden)).map { _ in Float.random(in: -inputScale...inputScale, using: &random) },
            hiddenBias: [Float](repeating: 0, count: hidden),
            outputWeights: (0..<(hidden * classes)).map { _ in Float.random(in: -outputScale...outputScale, using: &random) },
            outputBias: [Float](repeating: 0, count: classes))
        model.fit(vectors, targets, epochs: epochs, learningRate: learningRate, inputDropout: inputDropout, random: &random)
        model.inputWeights = model.inputWeights.map(BFloat16.round)
        return model
    }

    private mutating func fit(
        _ vectors: [SparseVector], _ targets: [Int], epochs: Int, learningRate: Float, inputDropout: Float,
        random: inout SeededRandom
    ) {
        let h = hidden
        let k = classes
        var order = Array(vectors.indices)
        var activations = [Float](repeating: 0, count: h)
        var output = [Float](repeating: 0, count: k)
        var hiddenGradient = [Float](repeating: 0, count: h)
        let total = Float(max(1, epochs * vectors.count))
        var step = 0
        for _ in 0..<epochs {
            order.shuffle(using: &random)
            for index in order {
                let lr = learningRate * (1 - Float(step) / total) + 0.001
                step += 1
                var x = vectors[index]
                if inputDropout > 0 { x = x.droppingOut(inputDropout, using: &random) }
                forward(x, activations: &activations, output: &output)
                output[targets[index]] -= 1  // gradient of the cross-entropy wrt the output logits
                outputWeights.withUnsafeMutableBufferPointer { w2 in
                    for j in 0..<h {
                        guard activations[j] > 0 else {
                            hiddenGradient[j] = 0
                            continue
                        }
                        var g: Float = 0
                        let row = j * k
                        let a = lr * activations[j]
                        for c in 0..<k {
                            g += output[c] * w2[row + c]
                            w2[row + c] -= a * output[c]
                        }
                        hiddenGradient[j] = g
                    }
                }
                for c in 0..<k { outputBias[c] -= lr * output[c] }
                for j in 0..<h { hiddenBias[j] -= lr * hiddenGradient[j] }
                inputWeights.withUnsafeMutableBufferPointer { w1 in
                    hiddenGradient.withUnsafeBufferPointer { g in
                        for (column, value) in zip(x.indices, x.values) {
                            let row = Int(column) * h
                            let scale = lr * value
                            for j in 0..<h { w1[row + j] -= scale * g[j] }
                        }
                    }
                }
            }
        }
    }

    /// Class probabilities for one vector.
    public func probabilities(_ x: SparseVector) -> [Float] {
        var activations = [Float](repeating: 0, count: hidden)
        var output = [Float](repeating: 0, count: classes)
        forward(x, activations: &activations, output: &output)
        return output
    }

    private func forward(_ x: SparseVector, activations: inout [Float], output: inout [Float]) {
        let h = hidden
        let k = classes
        activations.withUnsafeMutableBufferPointer { a in
            for j in 0..<h { a[j] = hiddenBias[j] }
            inputWeights.withUnsafeBufferPointer { w1 in
                for (column, value) in zip(x.indices, x.values) where Int(column) < inputs {
                    let row = Int(column) * h
                    for j in 0..<h { a[j] += value * w1[row + j] }
                }
            }
            for j in 0..<h where a[j] < 0 { a[j] = 0 }
        }
        for c in 0..<k { output[c] = outputBias[c] }
        outputWeights.withUnsafeBufferPointer { w2 in
            for j in 0..<h where activations[j] > 0 {
                let row = j * k
                let a = activations[j]
                for c in 0..<k { output[c] += a * w2[row + c] }
            }
        }
        softmax(&output, temperature: 1)
    }
}

/// The upper half of a Float's bits, rounded to nearest even: 8 exponent bits, 7 mantissa bits.
enum BFloat16 {
    static func encode(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        guard !value.isNaN else { return 0x7FC0 }
        let rounding = UInt32(0x7FFF) + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }

    static func decode(_ half: UInt16) -> Float { Float(bitPattern: UInt32(half) << 16) }

    static func round(_ value: Float) -> Float { decode(encode(value)) }
}

extension SparseVector {
    /// Each entry kept with probability `1 - rate` and scaled by its inverse, the rest dropped.
    func droppingOut(_ rate: Float, using random: inout SeededRandom) -> SparseVector {
        let keep = 1 - rate
        var result = SparseVector()
        for (index, value) in zip(indices, values) where Float.random(in: 0..<1, using: &random) < keep {
            result.indices.append(index)
            result.values.append(value / keep)
        }
        return result
    }
}
