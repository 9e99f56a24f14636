import Foundation
import KefuCore
import Synchronization

/// What the load tool sent and what arrived, by client id, with the end-to-end time of each arrival.
final class ChatLedger: Sendable {
    private struct State {
        var sentAt: [String: ContinuousClock.Instant] = [:]
        var delivered: Set<String> = []
        var duplicated = 0
        var latencies: [String: [Double]] = [:]
        var errors: [String: Int] = [:]
        var synced = 0
        var lastArrival = ContinuousClock.now
        /// Agents' replies: stored message id → client id, and arrivals seen before the agent's ack.
        var clientIDs: [String: String] = [:]
        var early: [String: [ContinuousClock.Instant]] = [:]
        /// Every arrival's time and latency, to split the run at the first dropped connection.
        var arrivals: [(at: ContinuousClock.Instant, ms: Double)] = []
        var firstDrop: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    func sent(_ id: String) { state.withLock { $0.sentAt[id] = .now } }

    func received(_ id: String, by receiver: String, at now: ContinuousClock.Instant = .now) {
        state.withLock { Self.arrive(&$0, id, receiver, now) }
    }

    /// A reply arrived at a customer, known by its message id.
    func received(messageID: String) {
        let now = ContinuousClock.now
        state.withLock { state in
            if let id = state.clientIDs[messageID] {
                Self.arrive(&state, id, "customer", now)
            } else {
                state.early[messageID, default: []].append(now)
            }
        }
    }

    /// The agent's ack: which stored message a reply became.
    func stored(_ id: String, as messageID: String) {
        state.withLock { state in
            state.clientIDs[messageID] = id
            for arrival in state.early.removeValue(forKey: messageID) ?? [] { Self.arrive(&state, id, "customer", arrival) }
        }
    }

    private static func arrive(_ state: inout State, _ id: String, _ receiver: String, _ now: ContinuousClock.Instant) {
        guard let sent = state.sentAt[id] else { return }
        guard state.delivered.insert(id).inserted else {
            state.duplicated += 1
            return
        }
        let ms = (now - sent).inMilliseconds
        state.latencies[receiver, default: []].append(ms)
        state.arrivals.append((now, ms))
        state.lastArrival = max(state.lastArrival, now)
    }

    /// A server connection ended under a socket that did not ask for it (an instance went away).
    func dropped() { state.withLock { $0.firstDrop = $0.firstDrop ?? .now } }

    /// Throughput and p99 before and after the first dropped connection; nil when none dropped.
    func phases(start: ContinuousClock.Instant) -> (before: ChatBenchmark.Phase, after: ChatBenchmark.Phase)? {
        state.withLock { state in
            guard let drop = state.firstDrop else { return nil }
            let before = state.arrivals.filter { $0.at < drop }
            let after = state.arrivals.filter { $0.at >= drop }
            func phase(_ arrivals: [(at: ContinuousClock.Instant, ms: Double)], from: ContinuousClock.Instant)
                -> ChatBenchmark.Phase
            {
                let end = arrivals.map(\.at).max() ?? from
                let seconds = (end - from).inSeconds
                return ChatBenchmark.Phase(
                    messages: arrivals.count, throughputPerS: seconds > 0 ? Double(arrivals.count) / seconds : 0,
                    p99Ms: Percentile.of(arrivals.map(\.ms), 0.99))
            }
            return (phase(before, from: start), phase(after, from: drop))
        }
    }

    func error(_ code: String) { state.withLock { $0.errors[code, default: 0] += 1 } }

    func synced() { state.withLock { $0.synced += 1 } }

    func waitForSynced(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while state.withLock({ $0.synced }) < count {
            guard ContinuousClock.now < deadline else { throw BenchHTTP.Failure(description: "agents did not sync") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits until everything sent has arrived, or nothing more has arrived for `timeout` seconds (a server working
    /// through a backlog is still delivering); returns the last arrival.
    func waitForDelivery(timeout: Double) async -> ContinuousClock.Instant {
        while true {
            let (done, last) = state.withLock { ($0.delivered.count >= $0.sentAt.count, $0.lastArrival) }
            if done || ContinuousClock.now - last > .seconds(timeout) { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return state.withLock { $0.lastArrival }
    }

    func report() -> ChatBenchmark.Report {
        state.withLock { state in
            var report = ChatBenchmark.Report()
            report.messagesSent = state.sentAt.count
            report.messagesDelivered = state.delivered.count
            report.duplicated = state.duplicated
            report.lost = state.sentAt.count - state.delivered.count
            let all = state.latencies.values.flatMap { $0 }
            report.p50Ms = Percentile.of(all, 0.5)
            report.p99Ms = Percentile.of(all, 0.99)
            report.customerToAgentP99Ms = Percentile.of(state.latencies["agent"] ?? [], 0.99)
            report.agentToCustomerP99Ms = Percentile.of(state.latencies["customer"] ?? [], 0.99)
            report.errors = state.errors
            return report
        }
    }
}

/// A value that arrives once, from a socket's frame handler, awaited by the setup code.
final class OneShot<Value: Sendable>: Sendable {
    private let state = Mutex<Value?>(nil)

    func fulfil(_ value: Value) { state.withLock { $0 = $0 ?? value } }

    func value(timeout seconds: Double) async throws -> Value {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let value = state.withLock({ $0 }) { return value }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw BenchHTTP.Failure(description: "no answer within \(Int(seconds)) s")
    }
}

/// Lets a socket's own frame handler write to it (the handler is made before the socket).
final class SocketHolder: Sendable {
    private let state = Mutex<BenchSocket?>(nil)
    var socket: BenchSocket? { state.withLock { $0 } }
    func set(_ socket: BenchSocket) { state.withLock { $0 = socket } }
}
