import Foundation

/// The bot's normalisation one character at a time, for matching that must point back into the original text
/// (masking a word where the customer typed it): full-width forms folded (NFKC), lower case, traditional Chinese
/// folded to simplified. Unlike `TextNormalizer` it keeps the positions, so it cannot rewrite colloquial forms.
public enum TextFolding {
    /// The folded scalars of one character; empty for white space, punctuation and symbols, which separate nothing
    /// when matching (a word written with spaces or dots between its letters is still that word).
    public static func fold(_ character: Character) -> [Unicode.Scalar] {
        if character.isASCII, let scalar = character.unicodeScalars.first {
            switch scalar.value {
            case 0x41...0x5A: return [Unicode.Scalar(UInt8(scalar.value + 32))]
            case 0x61...0x7A, 0x30...0x39: return [scalar]
            default: return []
            }
        }
        var out: [Unicode.Scalar] = []
        for scalar in String(character).precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars {
            let properties = scalar.properties
            guard properties.isAlphabetic || properties.numericType != nil || Tokenizer.isCJK(scalar) else { continue }
            out.append(TraditionalToSimplified.table[scalar.value].flatMap(Unicode.Scalar.init) ?? scalar)
        }
        return out
    }

    /// Whether a character would continue a Latin word (the boundary test for Latin phrases): a letter or digit that
    /// is not Chinese, Japanese or Korean ("我是VIP" holds the word VIP; "VIPs" does not).
    static func isWordCharacter(_ character: Character) -> Bool {
        fold(character).contains { !Tokenizer.isCJK($0) }
    }
}
