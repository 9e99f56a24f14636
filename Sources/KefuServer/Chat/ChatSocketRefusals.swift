import Hummingbird

/// What a chat-socket address answers when it is not upgraded: a plain GET, or an agent upgrade that does not sign in
/// (refused before the upgrade, so a client sees 401 or 403 instead of a socket that opens and closes at once).
struct ChatSocketRefusals {
    let socket: ChatSocket

    func register(_ routes: PublicRoutes) {
        routes.on(.get, WebPath.agentSocket) { request, _ -> Response in
            _ = try await socket.agentIdentity(request)
            throw APIError.upgradeRequired
        }
        routes.on(.get, WebPath.widgetSocket) { _, _ -> Response in throw APIError.upgradeRequired }
    }
}
