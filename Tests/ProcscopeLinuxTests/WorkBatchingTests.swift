@testable import ProcscopeLinux
import ProcscopeCore
import Testing

/// When the attribution worker stops waking for each lookup and close, and how long it lets them gather.
@Suite struct WorkBatchingTests {
    static func at(_ millis: Int64) -> Timestamp { Timestamp(microseconds: millis * 1_000) }

    @Test("Ordinary rates wake the worker for each piece of work; above 20,000 a second it turns every 0.25 ms, doubling to 1 ms while turns are full, and wakes for each again below 10,000")
    func batchesOnlyWhileWorkComesFast() {
        var batching = WorkBatching(now: Self.at(0))
        // 5,000 a second (a busy server's few thousand connections): never batched.
        for millis in stride(from: Int64(10), through: 500, by: 10) { batching.note(50, at: Self.at(millis)) }
        #expect(!batching.isOn && batching.nextTurn == nil)
        // 40,000 a second: batched once a window says so.
        for millis in stride(from: Int64(510), through: 800, by: 10) { batching.note(400, at: Self.at(millis)) }
        #expect(batching.isOn)
        batching.turnBegan(at: Self.at(801))
        #expect(batching.intervalMicros == WorkBatching.intervalMicros.upperBound, "full turns doubled it to the most")
        #expect(batching.nextTurn == Timestamp(microseconds: 801_000 + 1_000))
        // A turn with little in it starts again from the shortest interval.
        batching.note(1, at: Self.at(802))
        #expect(batching.intervalMicros == WorkBatching.intervalMicros.lowerBound)
        batching.note(WorkBatching.fullTurn, at: Self.at(803))
        #expect(batching.intervalMicros == 2 * WorkBatching.intervalMicros.lowerBound)
        // Between the two rates (15,000 a second) it stays batched; below 10,000 it wakes for each again.
        for millis in stride(from: Int64(810), through: 1_100, by: 10) { batching.note(150, at: Self.at(millis)) }
        #expect(batching.isOn)
        for millis in stride(from: Int64(1_110), through: 1_400, by: 10) { batching.note(50, at: Self.at(millis)) }
        #expect(!batching.isOn && batching.nextTurn == nil)
    }
}
