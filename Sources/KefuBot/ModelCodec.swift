import Foundation

/// A trained bot model as saved: the classifier, the hand-off threshold and a version the server can roll back to.
public struct BotModel: Sendable {
    /// 2 added the hidden-layer network; format 1 files still load.
    public static let formatVersion = 2

    public var classifier: IntentClassifier
    /// Below this top-class probability the bot hands off.
    public var threshold: Double
    /// Increases with each retraining; the server keeps old versions to roll back.
    public var version: Int
    public var trainedAt: Date
    public var outOfScopeLabel: String?

    public init(
        classifier: IntentClassifier, threshold: Double, version: Int = 1, trainedAt: Date = Date(),
        outOfScopeLabel: String? = nil
    ) {
        self.classifier = classifier
        self.threshold = threshold
        self.version = version
        self.trainedAt = trainedAt
        self.outOfScopeLabel = outOfScopeLabel
    }

    /// Why the bot would hand a question off as one it cannot answer, or nil: the out-of-scope class comes first in
    /// either model, or the linear model's calibrated confidence is under the threshold. The linear model judges scope
    /// rather than the averaged one because, at the same in-scope hand-off rate, it catches more out-of-scope
    /// questions under cross-validation (docs/BENCHMARKS.md); the averaged model ranks the intents.
    public func handoffReason(_ assessment: IntentClassifier.Assessment) -> String? {
        if let outOfScopeLabel, assessment.intents.first?.label == outOfScopeLabel || assessment.scope.label == outOfScopeLabel {
            return "out_of_scope"
        }
        return assessment.scope.probability < threshold ? "low_confidence" : nil
    }
}

/// Binary model file: magic, a JSON header, then little-endian arrays (bucket keys, IDF, weights, bias).
public enum ModelCodec {
    static let magic = Data("KEFUBOT\n".utf8)

    struct Header: Codable {
        var format: Int
        var version: Int
        var trainedAt: Date
        var labels: [String]
        var hasher: FeatureHasher
        var temperature: Float
        var threshold: Double
        var outOfScopeLabel: String?
        var dimension: Int
        /// Format 2: hidden units of the network whose weights follow the linear model's (absent or 0: none).
        var hidden: Int?
        var networkWeight: Float?
        var linearTemperature: Float?
    }

    public static func encode(_ model: BotModel) throws -> Data {
        let c = model.classifier
        let header = Header(
            format: BotModel.formatVersion, version: model.version, trainedAt: model.trainedAt, labels: c.labels,
            hasher: c.vectorizer.hasher, temperature: c.temperature, threshold: model.threshold,
            outOfScopeLabel: model.outOfScopeLabel, dimension: c.vectorizer.dimension, hidden: c.network?.hidden,
            networkWeight: c.networkWeight,
            linearTemperature: c.linearTemperature)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let json = try encoder.encode(header)
        var data = magic
        append(UInt32(json.count), to: &data)
        data.append(json)
        var keys = [UInt64](repeating: 0, count: c.vectorizer.dimension)
        for (key, column) in c.vectorizer.columns { keys[Int(column)] = key }
        keys.withUnsafeBytes { data.append(contentsOf: $0) }
        c.vectorizer.idf.withUnsafeBytes { data.append(contentsOf: $0) }
        c.weights.withUnsafeBytes { data.append(contentsOf: $0) }
        c.bias.withUnsafeBytes { data.append(contentsOf: $0) }
        if let network = c.network {
            network.inputWeights.map(BFloat16.encode).withUnsafeBytes { data.append(contentsOf: $0) }
            network.hiddenBias.withUnsafeBytes { data.append(contentsOf: $0) }
            network.outputWeights.withUnsafeBytes { data.append(contentsOf: $0) }
            network.outputBias.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        return data
    }

    public static func decode(_ data: Data) throws -> BotModel {
        guard data.count > magic.count + 4, data.prefix(magic.count) == magic else {
            throw BotError.unsupportedModel("not a Kefu bot model file")
        }
        var offset = magic.count
        let headerLength = Int(try read(UInt32.self, data, &offset))
        guard offset + headerLength <= data.count else { throw BotError.unsupportedModel("truncated header") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: data.subdata(in: offset..<offset + headerLength))
        } catch {
            throw BotError.unsupportedModel("unreadable header")
        }
        guard (1...BotModel.formatVersion).contains(header.format) else {
            throw BotError.unsupportedModel("format \(header.format), this build reads \(BotModel.formatVersion)")
        }
        offset += headerLength
        let d = header.dimension
        let k = header.labels.count
        // Sizes come from the file: bound them before multiplying, so a corrupt header is an error, not a crash.
        guard (0...data.count).contains(d), k <= data.count else { throw BotError.unsupportedModel("implausible sizes") }
        let keys: [UInt64] = try readArray(data, &offset, count: d)
        let idf: [Float] = try readArray(data, &offset, count: d)
        let weights: [Float] = try readArray(data, &offset, count: d * k)
        let bias: [Float] = try readArray(data, &offset, count: k)
        var network: HiddenLayerClassifier?
        if let h = header.hidden, h > 0 {
            guard h <= 1 << 16 else { throw BotError.unsupportedModel("implausible hidden size \(h)") }
            let packed: [UInt16] = try readArray(data, &offset, count: d * h)
            network = HiddenLayerClassifier(
                inputs: d, hidden: h, classes: k, inputWeights: packed.map(BFloat16.decode),
                hiddenBias: try readArray(data, &offset, count: h), outputWeights: try readArray(data, &offset, count: h * k),
                outputBias: try readArray(data, &offset, count: k))
        }
        guard offset == data.count else { throw BotError.unsupportedModel("trailing bytes") }
        var columns: [UInt64: Int32] = [:]
        columns.reserveCapacity(d)
        for (i, key) in keys.enumerated() { columns[key] = Int32(i) }
        var classifier = IntentClassifier(
            labels: header.labels, vectorizer: Vectorizer(hasher: header.hasher, columns: columns, idf: idf), weights: weights,
            bias: bias)
        classifier.network = network
        classifier.networkWeight = header.networkWeight ?? 0
        classifier.temperature = header.temperature
        classifier.linearTemperature = header.linearTemperature ?? header.temperature
        return BotModel(
            classifier: classifier, threshold: header.threshold, version: header.version, trainedAt: header.trainedAt,
            outOfScopeLabel: header.outOfScopeLabel)
    }

    private static func append(_ value: UInt32, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    private static func read<T: FixedWidthInteger>(_ type: T.Type, _ data: Data, _ offset: inout Int) throws -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= data.count else { throw BotError.unsupportedModel("truncated") }
        var value: T = 0
        _ = withUnsafeMutableBytes(of: &value) { data.copyBytes(to: $0, from: offset..<offset + size) }
        offset += size
        return T(littleEndian: value)
    }

    private static func readArray<T>(_ data: Data, _ offset: inout Int, count: Int) throws -> [T] {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard count >= 0, !overflow, bytes <= data.count - offset else { throw BotError.unsupportedModel("truncated") }
        let array = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            _ = data.copyBytes(to: UnsafeMutableRawBufferPointer(buffer), from: offset..<offset + bytes)
            initialized = count
        }
        offset += bytes
        return array
    }
}
