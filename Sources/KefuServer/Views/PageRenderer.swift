import Foundation
import HTTPTypes
import Hummingbird
import KefuCore
import Mustache

/// Renders server-side pages from the Mustache templates and the locale catalogues shipped as resources.
/// Every visible string comes from a catalogue (`{{t.key}}`); escaping is on by default.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    public let catalogues: Catalogues

    public static func load() async throws -> PageRenderer {
        let base = try ResourceFiles.base()
        let library = try await MustacheLibrary(directory: base.appendingPathComponent("templates").path)
        return PageRenderer(library: library, catalogues: try Catalogues.load(from: base))
    }

    enum RendererError: Error { case missingResources, missingTemplate(String) }

    /// One string from the catalogue, or `section.key` when missing (visible, never a crash).
    func text(_ section: String, _ key: String, _ locale: UILocale) -> String {
        catalogues.text(section, key, locale)
    }

    /// Renders `template` with `data` plus `t` (the catalogue) and `lang`.
    func render(_ template: String, _ data: [String: Any], locale: UILocale, status: HTTPResponse.Status = .ok) -> Response {
        var data = data
        data["t"] = catalogues.catalogue(locale)
        data["lang"] = locale.rawValue
        data["links"] = WebPath.links
        let html =
            library.render(data, withTemplate: template)
            ?? "<!doctype html><title>Kefu</title><p>Template \(template) missing.</p>"
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func errorPage(status: HTTPResponse.Status, message: String, locale: UILocale) -> Response {
        let title =
            switch status {
            case .notFound: text("error", "not_found", locale)
            case .forbidden: text("error", "forbidden", locale)
            default: text("error", "generic", locale)
            }
        return render("error", ["status": status.code, "title": title, "message": message], locale: locale, status: status)
    }
}
