import Foundation
import Testing

@testable import KefuServer

@Suite struct JobWakeUpTests {
    /// Several workers waiting at once are all woken by one signal, and a wait without a signal ends at its timeout.
    @Test func everyWaiterWakesAndTimeoutsEnd() async throws {
        let wakeUp = JobWakeUp()
        let clock = ContinuousClock()
        let start = clock.now
        async let first: Void = wakeUp.wait(upTo: .seconds(600))
        async let second: Void = wakeUp.wait(upTo: .seconds(600))
        while await wakeUp.waiting < 2 { try await Task.sleep(for: .milliseconds(10)) }
        await wakeUp.signal()
        _ = await (first, second)
        // Far below the 600 s timeout: the signal woke both (the bound is loose for a busy test machine).
        #expect(clock.now - start < .seconds(300))
        let timed = clock.now
        await wakeUp.wait(upTo: .milliseconds(50))
        #expect(clock.now - timed < .seconds(300))
    }
}
