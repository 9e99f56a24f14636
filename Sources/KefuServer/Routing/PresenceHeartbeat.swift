import Foundation
import Logging
import ServiceLifecycle

/// Refreshes this instance's agent connection rows every `interval`, well inside `ChatRouter.connectionTTL`: while
/// the process lives its agents count as connected; once it is killed they stop counting within the TTL.
struct PresenceHeartbeat: Service {
    let presence: PresenceService
    var interval: Duration = .seconds(10)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await presence.heartbeat()
                try? await Task.sleep(for: interval)
            }
        }
    }
}
