/// The nearest-rank percentile the benchmarks report: the smallest value with at least `p` of the values at or below
/// it, in milliseconds rounded to two decimals; 0 for no values.
public enum Percentile {
    public static func of(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))
        return (sorted[rank] * 100).rounded() / 100
    }
}
