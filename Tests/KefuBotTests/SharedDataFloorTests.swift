import Foundation
import KefuBot
import Testing

/// Trains on a slice of each shared data set and checks a floor on the rest, so a regression in features or
/// training shows up in `swift test`. The full figures come from `kefu bench bot` (docs/BENCHMARKS.md).
@Suite struct SharedDataFloorTests {
    static let dataDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/data")

    func split(_ name: String, keepEvery: Int) throws -> (train: [LabeledExample], test: [LabeledExample]) {
        let all = try LabeledCSV.read(path: Self.dataDirectory.appendingPathComponent("\(name)/train.csv").path)
        let labels = Set(all.map(\.label)).sorted().prefix(20)
        let slice = all.filter { labels.contains($0.label) }
        let test = slice.enumerated().filter { $0.offset % keepEvery == 0 }.map(\.element)
        let train = slice.enumerated().filter { $0.offset % keepEvery != 0 }.map(\.element)
        return (train, test)
    }

    @Test(arguments: [("banking77", 0.85), ("clinc150", 0.88), ("ecommerce-zh", 0.70)])
    func aSliceReachesItsFloor(_ name: String, _ floor: Double) throws {
        let (train, test) = try split(name, keepEvery: 5)
        var evaluation = Evaluation()
        evaluation.folds = 3
        let report = try evaluation.run(train: train, test: test, oosLabel: nil)
        #expect(report.accuracy >= floor, "\(name): \(report.accuracy)")
    }
}
