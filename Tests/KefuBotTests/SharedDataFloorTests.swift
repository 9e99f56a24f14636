import Foundation
import KefuBot
import Testing

/// Trains on a slice of each shared data set and checks a floor on the rest, so a regression in features or
/// training shows up in `swift test`. The full figures come from `kefu bench bot` (docs/BENCHMARKS.md).
/// Skipped, with the reason, in a clone without `../shared` (CI has it).
@Suite(.enabled(if: TestPaths.hasSharedData, "needs the shared data sets in ../shared/data"))
struct SharedDataFloorTests {
    static let dataDirectory = TestPaths.sharedData

    func split(_ name: String, keepEvery: Int) throws -> (train: [LabeledExample], test: [LabeledExample]) {
        let all = try LabeledCSV.read(path: Self.dataDirectory.appendingPathComponent("\(name)/train.csv").path)
        let labels = Set(all.map(\.label)).sorted().prefix(12)
        let slice = all.filter { labels.contains($0.label) }
        let test = slice.enumerated().filter { $0.offset % keepEvery == 0 }.map(\.element)
        let train = slice.enumerated().filter { $0.offset % keepEvery != 0 }.map(\.element)
        return (train, test)
    }

    @Test(arguments: [("banking77", 0.85), ("clinc150", 0.88), ("ecommerce-zh", 0.70)])
    func aSliceReachesItsFloor(_ name: String, _ floor: Double) throws {
        // One training with the default options (network included) per set; the cross-validated hand-off threshold is
        // left to the bench, which keeps this test to seconds in a debug build.
        let (train, test) = try split(name, keepEvery: 5)
        let model = try IntentClassifier.train(train)
        let predicted = test.map { model.classify($0.text).first?.label ?? "" }
        let accuracy = Metrics.accuracy(predicted, test.map(\.label))
        #expect(accuracy >= floor, "\(name): \(accuracy)")
    }
}
