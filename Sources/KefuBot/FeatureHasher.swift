import Foundation

/// Turns text into hashed n-gram counts in two groups: word n-grams (stemmed words, numbers, CJK unigrams and
/// bigrams, word bigrams) and character n-grams inside word boundaries (typos still share most of them; CJK runs give
/// character 1–3-grams). Hashing needs no vocabulary at extraction time; the fitted `Vectorizer` keeps only the
/// buckets seen in training.
public struct FeatureHasher: Sendable, Codable, Equatable {
    public var charMin = 2
    public var charMax = 5
    public var wordBigrams = true

    public init() {}

    /// Hashed counts of one text: `word` and `char` groups, bucket → count.
    public func counts(_ text: String) -> (word: [UInt64: Float], char: [UInt64: Float]) {
        let normalized = TextNormalizer().normalize(text)
        let tokenizer = Tokenizer()
        var word: [UInt64: Float] = [:]
        var char: [UInt64: Float] = [:]
        let tokens = tokenizer.tokens(normalized)
        var previousWord: String?
        for token in tokens {
            word[Self.hash(token, salt: 1), default: 0] += 1
        }
        for piece in tokenizer.pieces(normalized) {
            switch piece {
            case .word(let w):
                let stem = Stemmer.stem(w.replacingOccurrences(of: "'", with: ""))
                if wordBigrams, let previous = previousWord {
                    word[Self.hash(previous + " " + stem, salt: 2), default: 0] += 1
                }
                previousWord = stem
                addCharGrams(Array(" " + w + " "), min: charMin, max: charMax, into: &char)
            case .number(let n):
                previousWord = n.count >= 5 ? "#num" : n
                addCharGrams(Array(" " + n + " "), min: charMin, max: min(charMax, 3), into: &char)
            case .cjk(let text):
                previousWord = nil
                addCharGrams(Array(text), min: 1, max: 3, into: &char)
            }
        }
        return (word, char)
    }

    private func addCharGrams(_ chars: [Character], min: Int, max: Int, into counts: inout [UInt64: Float]) {
        guard !chars.isEmpty else { return }
        for n in min...max where n <= chars.count {
            for start in 0...(chars.count - n) {
                counts[Self.hash(String(chars[start..<start + n]), salt: 3), default: 0] += 1
            }
        }
    }

    /// FNV-1a, 64-bit, salted per feature group; stable across runs and platforms.
    static func hash(_ text: String, salt: UInt64) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ (salt &* 0x1000_0000_01b3)
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
        }
        return h
    }
}

/// A sparse vector: column indices (ascending) and their values.
public struct SparseVector: Sendable, Equatable {
    public var indices: [Int32]
    public var values: [Float]

    public init(indices: [Int32] = [], values: [Float] = []) {
        self.indices = indices
        self.values = values
    }

    public var isEmpty: Bool { indices.isEmpty }

    public func dot(_ other: SparseVector) -> Float {
        var i = 0
        var j = 0
        var sum: Float = 0
        while i < indices.count && j < other.indices.count {
            if indices[i] == other.indices[j] {
                sum += values[i] * other.values[j]
                i += 1
                j += 1
            } else if indices[i] < other.indices[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return sum
    }
}

/// The fitted TF-IDF map: hashed bucket → column, with an IDF per column. Each group is L2-normalised on its own
/// and the two are concatenated, as a union of word and character TF-IDF vectorizers would.
public struct Vectorizer: Sendable, Equatable {
    public var hasher: FeatureHasher
    public var columns: [UInt64: Int32]
    public var idf: [Float]

    public var dimension: Int { idf.count }

    /// Fits on training texts; buckets seen fewer than `minCount` times in all are dropped.
    public static func fit(_ texts: [String], hasher: FeatureHasher = FeatureHasher(), minCount: Int = 1) -> Vectorizer {
        var documentFrequency: [UInt64: Int] = [:]
        for text in texts {
            let (word, char) = hasher.counts(text)
            for key in word.keys { documentFrequency[key, default: 0] += 1 }
            for key in char.keys { documentFrequency[key, default: 0] += 1 }
        }
        let kept = documentFrequency.filter { $0.value >= minCount }.keys.sorted()
        var columns: [UInt64: Int32] = [:]
        columns.reserveCapacity(kept.count)
        var idf: [Float] = []
        idf.reserveCapacity(kept.count)
        let n = Float(texts.count)
        for (index, key) in kept.enumerated() {
            columns[key] = Int32(index)
            idf.append(logf((1 + n) / (1 + Float(documentFrequency[key] ?? 0))) + 1)
        }
        return Vectorizer(hasher: hasher, columns: columns, idf: idf)
    }

    public func transform(_ text: String) -> SparseVector {
        let (word, char) = hasher.counts(text)
        var entries = group(word) + group(char)
        entries.sort { $0.0 < $1.0 }
        return SparseVector(indices: entries.map(\.0), values: entries.map(\.1))
    }

    private func group(_ counts: [UInt64: Float]) -> [(Int32, Float)] {
        var entries: [(Int32, Float)] = []
        entries.reserveCapacity(counts.count)
        for (key, count) in counts {
            guard let column = columns[key] else { continue }
            entries.append((column, (1 + logf(count)) * idf[Int(column)]))
        }
        // Sum in column order: dictionary order varies between runs, and float sums depend on order.
        entries.sort { $0.0 < $1.0 }
        var norm: Float = 0
        for entry in entries { norm += entry.1 * entry.1 }
        guard norm > 0 else { return [] }
        let scale = 1 / norm.squareRoot()
        return entries.map { ($0.0, $0.1 * scale) }
    }
}
