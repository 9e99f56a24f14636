import Foundation
import Hummingbird

/// Serves the stylesheet and script from the bundled resources, cached for an hour.
struct StaticAssetsController {
    let css: ByteBuffer
    let js: ByteBuffer
    /// The embeddable chat widget, loaded by other sites' pages too.
    let widget: ByteBuffer
    let widgetStyle: ByteBuffer
    /// The agent console's live conversation view.
    let console: ByteBuffer
    /// Canned replies, search, presence and the contact panel of the console.
    let consoleTools: ByteBuffer

    static func load() throws -> StaticAssetsController {
        let base = try ResourceFiles.base().appendingPathComponent("static")
        return StaticAssetsController(
            css: ByteBuffer(bytes: try Data(contentsOf: base.appendingPathComponent("kefu.css"))),
            js: ByteBuffer(bytes: try Data(contentsOf: base.appendingPathComponent("kefu.js"))),
            widget: ByteBuffer(bytes: try Data(contentsOf: base.appendingPathComponent("widget.js"))),
            widgetStyle: ByteBuffer(bytes: try Data(contentsOf: base.appendingPathComponent("widget.css"))),
            console: ByteBuffer(bytes: try Data(contentsOf: base.appendingPathComponent("console.js"))),
            consoleTools: ByteBuffer(bytes: try Data(contentsOf: base.appendingPathComponent("console-tools.js"))))
    }

    func register(_ routes: PublicRoutes) {
        routes.on(.get, WebPath.stylesheet) { _, _ in asset(css, "text/css; charset=utf-8") }
        routes.on(.get, WebPath.script) { _, _ in asset(js, "text/javascript; charset=utf-8") }
        routes.on(.get, WebPath.consoleScript) { _, _ in asset(console, "text/javascript; charset=utf-8") }
        routes.on(.get, WebPath.consoleToolsScript) { _, _ in asset(consoleTools, "text/javascript; charset=utf-8") }
        routes.on(.get, WebPath.widgetScript) { _, _ in
            var response = asset(widget, "text/javascript; charset=utf-8")
            response.headers[.accessControlAllowOrigin] = "*"
            return response
        }
        routes.on(.get, WebPath.widgetStyle) { _, _ in
            var response = asset(widgetStyle, "text/css; charset=utf-8")
            response.headers[.accessControlAllowOrigin] = "*"
            return response
        }
    }

    private func asset(_ body: ByteBuffer, _ type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"], body: .init(byteBuffer: body))
    }
}
