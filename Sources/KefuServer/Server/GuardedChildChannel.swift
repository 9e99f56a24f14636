import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Puts a `ConnectionGate` in front of another child channel's pipeline and a `FirstHeadWatch` right after its HTTP
/// decoder. The WebSocket-upgrading HTTP channel adds its idle timeout, its error handling and our HTTP handlers only
/// once a decoded request head has arrived, so without these a connection whose first head never comes, or comes
/// malformed, would be held forever, never answered and never counted.
struct GuardedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let counter: ConnectionCounter
    let firstHeadTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGate(counter: counter))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(FirstHeadWatch(timeout: firstHeadTimeout), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
        // Whatever ended the exchange (an upgrade that failed before any answer, too), the connection ends with it.
        value.channel.close(promise: nil)
    }
}

/// First in every connection's pipeline, on raw bytes: counts the connection against the server's limit and its
/// address's, closing those beyond either.
final class ConnectionGate: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let counter: ConnectionCounter
    private var counted = false
    private var key: String?

    init(counter: ConnectionCounter) { self.counter = counter }

    func handlerAdded(context: ChannelHandlerContext) {
        key = counter.key(for: context.channel.remoteAddress)
        guard counter.admit(key: key) else {
            context.close(promise: nil)
            return
        }
        counted = true
    }

    func handlerRemoved(context: ChannelHandlerContext) { release() }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    private func release() {
        if counted {
            counted = false
            counter.release(key: key)
        }
    }
}

/// Right after the HTTP decoder until the first request head is decoded: closes the connection when that head has not
/// arrived within `timeout` (or when the server shuts down first), and answers 400 and closes when the decoder refuses
/// what came (an unknown method, a NUL, a malformed header, TLS on the plain port). Once a head is decoded it leaves
/// the pipeline: Hummingbird's idle timeout and error handling take over, or the WebSocket's pings.
final class FirstHeadWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let timeout: TimeAmount
    private var done = false
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) { bound.value.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { stop() }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Once done, never unwrap: after an upgrade the decoder passes on raw bytes.
        guard !done else { return context.fireChannelRead(data) }
        guard case .head = unwrapInboundIn(data) else { return context.fireChannelRead(data) }
        stop()
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !done else { return context.fireErrorCaught(error) }
        stop()
        guard Self.isMalformedRequest(error) else { return context.close(promise: nil) }
        let head = HTTPResponseHead(
            version: .http1_1, status: .badRequest, headers: ["Connection": "close", "Content-Length": "0"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Graceful shutdown: nothing is in progress on a connection still waiting for its first head.
        if !done, event is ChannelShouldQuiesceEvent {
            stop()
            return context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    static func isMalformedRequest(_ error: any Error) -> Bool {
        if error is HTTPParserError { return true }
        if let decoder = error as? ByteToMessageDecoderError, case .dataReceivedInErrorState = decoder { return true }
        return false
    }

    private func stop() {
        done = true
        deadline?.cancel()
        deadline = nil
    }
}
