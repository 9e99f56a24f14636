import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Counts open connections across the server and per client address, and closes those beyond either limit, logging
/// when a limit is first reached (and again once it has cleared), so that file descriptors stay available for the
/// connections served and one address cannot take them all.
final class ConnectionCounter: Sendable {
    let limit: Int
    /// Connections one address may hold; 0: no per-address limit (behind a proxy every client has its address).
    let perAddressLimit: Int
    let limitsLoopback: Bool
    let logger: Logger

    private struct State {
        var open = 0
        var warned = false
        var byAddress: [String: Int] = [:]
        var warnedAddresses: Set<String> = []
    }

    private let state = Mutex(State())

    init(limit: Int, perAddressLimit: Int = 0, limitsLoopback: Bool = true, logger: Logger) {
        self.limit = limit
        self.perAddressLimit = perAddressLimit
        self.limitsLoopback = limitsLoopback
        self.logger = logger
    }

    /// The key a connection from `address` is counted under, nil when it has no per-address limit.
    func key(for address: SocketAddress?) -> String? {
        guard perAddressLimit > 0, let ip = address?.ipAddress, limitsLoopback || !AddressFrameLimiter.isLoopback(ip)
        else { return nil }
        return ip
    }

    /// Counts a new connection; false when it is over the server's or its address's limit (and was not counted).
    func admit(key: String? = nil) -> Bool {
        enum Warning { case server, address }
        let (admitted, warning) = state.withLock { state -> (Bool, Warning?) in
            guard state.open < limit else {
                let first = !state.warned
                state.warned = true
                return (false, first ? .server : nil)
            }
            if let key {
                let held = state.byAddress[key, default: 0]
                guard held < perAddressLimit else {
                    return (false, state.warnedAddresses.insert(key).inserted ? .address : nil)
                }
                state.byAddress[key] = held + 1
            }
            state.open += 1
            if state.open < limit * 9 / 10 { state.warned = false }
            return (true, nil)
        }
        switch warning {
        case .server: logger.warning("connection limit reached; closing new connections", metadata: ["limit": "\(limit)"])
        case .address:
            logger.warning(
                "connection limit of one address reached; closing its new connections",
                metadata: ["limit.per.address": "\(perAddressLimit)", "address": "\(key ?? "-")"])
        case nil: break
        }
        return admitted
    }

    func release(key: String? = nil) {
        state.withLock { state in
            state.open -= 1
            guard let key, let held = state.byAddress[key] else { return }
            if held <= 1 {
                state.byAddress[key] = nil
                state.warnedAddresses.remove(key)
            } else {
                state.byAddress[key] = held - 1
            }
        }
    }

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
