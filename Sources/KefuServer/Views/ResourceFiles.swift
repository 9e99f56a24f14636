import Foundation

/// The folder holding the bundled templates, locales and static files, wherever the platform put the bundle.
enum ResourceFiles {
    static func base() throws -> URL {
        let candidates = [
            Bundle.module.resourceURL,
            Bundle.module.resourceURL?.appendingPathComponent("Resources"),
            Bundle.module.bundleURL.appendingPathComponent("Resources"),
        ].compactMap { $0 }
        guard
            let found = candidates.first(where: {
                FileManager.default.fileExists(atPath: $0.appendingPathComponent("templates").path)
            })
        else { throw PageRenderer.RendererError.missingResources }
        return found
    }
}
