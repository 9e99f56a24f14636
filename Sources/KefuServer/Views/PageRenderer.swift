import Foundation
import HTTPTypes
import Hummingbird
import KefuCore
import Mustache

/// Renders server-side pages from the Mustache templates and the locale catalogues shipped as resources.
/// Every visible string comes from a catalogue (`{{t.key}}`); escaping is on by default.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let catalogues: [UILocale: Catalogue]

    public static func load() async throws -> PageRenderer {
        let base = try ResourceFiles.base()
        let library = try await MustacheLibrary(directory: base.appendingPathComponent("templates").path)
        var catalogues: [UILocale: Catalogue] = [:]
        for locale in UILocale.allCases {
            let url = base.appendingPathComponent("locales/\(locale.rawValue).json")
            catalogues[locale] = try JSONDecoder().decode(Catalogue.self, from: Data(contentsOf: url))
        }
        return PageRenderer(library: library, catalogues: catalogues)
    }

    enum RendererError: Error { case missingResources, missingTemplate(String) }

    /// Section → key → text; templates read `{{t.section.key}}`.
    typealias Catalogue = [String: [String: String]]

    func catalogue(_ locale: UILocale) -> Catalogue { catalogues[locale] ?? catalogues[.en] ?? [:] }

    /// One string from the catalogue, or the key itself when missing (visible, never a crash).
    func text(_ section: String, _ key: String, _ locale: UILocale) -> String {
        catalogue(locale)[section]?[key] ?? "\(section).\(key)"
    }

    /// Renders `template` with `data` plus `t` (the catalogue) and `lang`.
    func render(_ template: String, _ data: [String: Any], locale: UILocale, status: HTTPResponse.Status = .ok) -> Response {
        var data = data
        data["t"] = catalogue(locale)
        data["lang"] = locale.rawValue
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
