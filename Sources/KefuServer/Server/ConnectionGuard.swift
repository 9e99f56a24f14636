import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Counts open connections across the server and closes those beyond the limit, logging when the limit is first
/// reached (and again once it has cleared), so that file descriptors stay available for the connections served.
final class ConnectionCounter: Sendable {
    let limit: Int
    let logger: Logger
    private let state = Mutex((open: 0, warned: false))

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    /// Counts a new connection; false when it is over the limit (and was not counted).
    func admit() -> Bool {
        let (admitted, warn) = state.withLock { state -> (Bool, Bool) in
            guard state.open < limit else {
                let first = !state.warned
                state.warned = true
                return (false, first)
            }
            state.open += 1
            if state.open < limit * 9 / 10 { state.warned = false }
            return (true, false)
        }
        if warn {
            logger.warning("connection limit reached; closing new connections", metadata: ["limit": "\(limit)"])
        }
        return admitted
    }

    func release() { state.withLock { $0.open -= 1 } }

    var open: Int { state.withLock { $0.open } }
}

/// One per HTTP connection, after the HTTP decoder: drops a request whose body stops arriving for `readTimeout`
/// (Hummingbird's idle timeout covers connections between requests; `ConnectionGate` the first head and the count).
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let readTimeout: TimeAmount
    private var active = false
    private var inRequest = false
    private var lastRead = NIODeadline.now()
    private var check: Scheduled<Void>?

    init(readTimeout: TimeAmount) {
        self.readTimeout = readTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        active = true
        scheduleCheck(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) { stop() }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = .now()
        switch unwrapInboundIn(data) {
        case .head: inRequest = true
        case .end: inRequest = false
        case .body: break
        }
        context.fireChannelRead(data)
    }

    private func stop() {
        active = false
        check?.cancel()
        check = nil
    }

    private func scheduleCheck(_ context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleTask(in: .seconds(1)) {
            let (handler, context) = bound.value
            guard handler.active else { return }
            if handler.inRequest && NIODeadline.now() - handler.lastRead > handler.readTimeout {
                context.close(promise: nil)
            } else {
                handler.scheduleCheck(context)
            }
        }
    }
}
