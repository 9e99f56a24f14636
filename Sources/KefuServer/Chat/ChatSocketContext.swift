import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of chat-socket upgrades: Hummingbird's WebSocket context plus the client's address, which the
/// per-address frame limit counts by.
struct ChatSocketContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let remoteIP: String?

    init(source: Source) {
        coreContext = .init(source: source)
        webSocket = .init()
        remoteIP = source.channel.remoteAddress?.ipAddress
    }

    /// The client's address: the connection's peer, or behind a trusted load balancer the last `X-Forwarded-For` hop.
    func clientIP(_ request: Request, trustProxy: Bool) -> String {
        if trustProxy, let header = request.headers[.forwardedFor],
            let last = header.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        {
            return last
        }
        return remoteIP ?? "unknown"
    }
}
