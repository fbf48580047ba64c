@testable import ProcscopeLinux
import ProcscopeCore
import Testing

/// The worker's retry schedule: due lookups oldest first, and connections behind an older one of the same
/// accept queue put off, a bounded number of rounds.
@Suite struct RetryScheduleTests {
    static let server = Endpoint(address: .ipv4Loopback, port: 8080)

    static func request(port: UInt16, firstSeen: Int64, server: Endpoint = server) -> AttributionRequest {
        let key = FlowKey(proto: .tcp, local: server, remote: Endpoint(address: .ipv4Loopback, port: port), hasPorts: true)
        return AttributionRequest(conversation: Int32(port), key: key, firstSeen: Timestamp(microseconds: firstSeen),
                                  firstFrameOutgoing: false, firstTCPFlags: [.syn])
    }

    @Test("Due lookups come out oldest flow first; those not due stay")
    func dueLookupsComeOutOldestFirst() {
        var schedule = RetrySchedule()
        schedule.add(Self.request(port: 3, firstSeen: 30), attempt: 1, due: Timestamp(microseconds: 100))
        schedule.add(Self.request(port: 1, firstSeen: 10), attempt: 1, due: Timestamp(microseconds: 100))
        schedule.add(Self.request(port: 9, firstSeen: 5), attempt: 1, due: Timestamp(microseconds: 500))
        schedule.add(Self.request(port: 2, firstSeen: 20), attempt: 1, due: Timestamp(microseconds: 90))
        #expect(schedule.nextDue == Timestamp(microseconds: 90))
        let due = schedule.takeDue(now: Timestamp(microseconds: 100))
        #expect(due.map(\.request.key.remote.port) == [1, 2, 3])
        #expect(schedule.count == 1 && schedule.nextDue == Timestamp(microseconds: 500))
    }

    @Test("A connection behind an older one still in its accept queue is put off with its attempt counted, at most three rounds in a row and never past its last attempt")
    func connectionsBehindAnOlderOneArePutOffBoundedly() {
        var schedule = RetrySchedule()
        let queue = AcceptQueue(Self.request(port: 1, firstSeen: 0).key)
        let otherQueue = AcceptQueue(Self.request(port: 1, firstSeen: 0, server: Endpoint(address: .ipv4Loopback, port: 9090)).key)
        schedule.add(Self.request(port: 2, firstSeen: 20), attempt: 3, due: Timestamp(microseconds: 0), queue: queue)
        var entry = schedule.takeDue(now: Timestamp(microseconds: 0))[0]
        let behindAnotherQueue = schedule.putOff(entry, behind: [otherQueue], lastAttempt: 50, due: Timestamp(microseconds: 10))
        #expect(!behindAnotherQueue)
        for round in 1...RetrySchedule.maxDeferrals {
            let putOff = schedule.putOff(entry, behind: [queue], lastAttempt: 50, due: Timestamp(microseconds: Int64(round) * 10))
            #expect(putOff)
            entry = schedule.takeDue(now: Timestamp(microseconds: Int64(round) * 10))[0]
            #expect(entry.attempt == 3 + round && entry.deferrals == round)
        }
        let afterMaxDeferrals = schedule.putOff(entry, behind: [queue], lastAttempt: 50, due: Timestamp(microseconds: 100))
        #expect(!afterMaxDeferrals && schedule.isEmpty)
        // The attempt that gives up waiting is made, not put off.
        let last = RetrySchedule.Entry(request: Self.request(port: 4, firstSeen: 40), attempt: 49,
                                       due: Timestamp(microseconds: 0), queue: queue)
        let lastPutOff = schedule.putOff(last, behind: [queue], lastAttempt: 50, due: Timestamp(microseconds: 10))
        #expect(!lastPutOff)
        // A retry that is not an accept-queue wait is never put off.
        let plain = RetrySchedule.Entry(request: Self.request(port: 5, firstSeen: 50), attempt: 1,
                                        due: Timestamp(microseconds: 0), queue: nil)
        let plainPutOff = schedule.putOff(plain, behind: [queue], lastAttempt: 50, due: Timestamp(microseconds: 10))
        #expect(!plainPutOff && schedule.isEmpty)
    }
}
