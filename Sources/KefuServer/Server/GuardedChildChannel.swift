import HummingbirdCore
import Logging
import NIOCore

/// Puts a `ConnectionGate` in front of another child channel's pipeline. The WebSocket-upgrading HTTP channel adds
/// its idle timeout and our HTTP handlers only once a request head has arrived, so without the gate a connection that
/// never finishes its first head would be held forever and never counted.
struct GuardedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let counter: ConnectionCounter
    let firstHeadTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGate(counter: counter, firstHeadTimeout: firstHeadTimeout))
        }.flatMap { base.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// First in every connection's pipeline, on raw bytes: counts the connection against the server's limit (closing
/// those beyond it) and closes it when its first request head has not arrived within `firstHeadTimeout`. After the
/// first head, HTTP connections are watched by Hummingbird's idle timeout and `ConnectionGuard`, WebSockets by their
/// pings; this handler then only passes bytes through.
final class ConnectionGate: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let counter: ConnectionCounter
    let firstHeadTimeout: TimeAmount
    private var counted = false
    private var headSeen = false
    /// The last bytes read, to find the blank line that ends the first head across reads.
    private var tail: [UInt8] = []
    private var deadline: Scheduled<Void>?

    init(counter: ConnectionCounter, firstHeadTimeout: TimeAmount) {
        self.counter = counter
        self.firstHeadTimeout = firstHeadTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard counter.admit() else {
            context.close(promise: nil)
            return
        }
        counted = true
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: firstHeadTimeout) { bound.value.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { release() }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !headSeen {
            let buffer = unwrapInboundIn(data)
            tail.append(contentsOf: buffer.readableBytesView)
            let end: [UInt8] = [13, 10, 13, 10]
            if tail.count >= 4, tail.indices.dropLast(3).contains(where: { Array(tail[$0..<$0 + 4]) == end }) {
                headSeen = true
                deadline?.cancel()
                deadline = nil
                tail = []
            } else if tail.count > 3 {
                tail = Array(tail.suffix(3))
            }
        }
        context.fireChannelRead(data)
    }

    private func release() {
        deadline?.cancel()
        deadline = nil
        if counted {
            counted = false
            counter.release()
        }
    }
}
