import Foundation
import Hummingbird
import KefuDemoShop

/// `kefu-demo-shop [--port 8099] [--host 127.0.0.1] [--secret whsec_…]`: the demo shop's backend on its own, for a
/// Kefu that is not started with `--demo` (which runs it in-process). With `--secret` (the workspace's signing secret
/// from Settings → Actions) it refuses unsigned calls.
var port = 8099
var host = "127.0.0.1"
var secret: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--port": port = arguments.next().flatMap(Int.init) ?? port
    case "--host": host = arguments.next() ?? host
    case "--secret": secret = arguments.next()
    default:
        FileHandle.standardError.write(Data("usage: kefu-demo-shop [--port N] [--host H] [--secret S]\n".utf8))
        exit(2)
    }
}
let fixed = secret
let backend = DemoShopBackend(signingSecret: { fixed })
let app = Application(router: backend.router(), configuration: .init(address: .hostname(host, port: port)))
try await app.runService()
