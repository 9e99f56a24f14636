import Foundation

/// Paths the tests read from, found from this file's location with symbolic links resolved, so the tests work from
/// the repository and from a development package that links the test folder in.
enum TestPaths {
    /// The repository root: Tests/KefuBotTests/TestPaths.swift → ../../
    static let repository = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shared data sets beside the repository (`../shared/data`); never copied into the repository.
    static let sharedData = repository.deletingLastPathComponent().appendingPathComponent("shared/data")

    static var hasSharedData: Bool {
        FileManager.default.fileExists(atPath: sharedData.appendingPathComponent("banking77/train.csv").path)
    }

    /// The sample flow documented in docs/FLOWS.md.
    static let orderStatusFlow = repository.appendingPathComponent("docs/flows/order-status.json")
}
