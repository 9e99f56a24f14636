import Foundation
import Logging
import ServiceLifecycle

/// Refreshes this instance's agent connection rows every `interval`, well inside `ChatRouter.connectionTTL`: while
/// the process lives its agents count as connected; once it is killed they stop counting within the TTL. Every
/// `sweepEvery`-th beat it runs routing's sweep (offline agents' chats back to the queue, queues drained).
struct PresenceHeartbeat: Service {
    let presence: PresenceService
    let router: ChatRouter
    var interval: Duration = .seconds(10)
    var sweepEvery = 3

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var beat = 0
            while !Task.isCancelled {
                await presence.heartbeat()
                beat += 1
                if beat % sweepEvery == 0 { await router.sweepAll() }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
