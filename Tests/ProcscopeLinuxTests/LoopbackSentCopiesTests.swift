@testable import ProcscopeLinux
import Glibc
import Testing

/// On `any`, the sent copies of loopback frames are rejected by the kernel filter ahead of the user's.
@Suite struct LoopbackSentCopiesTests {
    @Test("On any, the kernel filter rejects loopback devices' sent copies ahead of the user's filter")
    func anyFilterRejectsLoopbackSentCopies() {
        #expect(LoopbackSentCopies.anyFilter("udp port 53", loopbacks: [1])
                == "not ((ifindex 1) and outbound) and (udp port 53)")
        #expect(LoopbackSentCopies.anyFilter(nil, loopbacks: [1, 7]) == "not ((ifindex 1 or ifindex 7) and outbound)")
        #expect(LoopbackSentCopies.anyFilter("", loopbacks: [1]) == "not ((ifindex 1) and outbound)")
    }

    @Test("Without a loopback device the user's filter is the kernel's, untouched")
    func noLoopbackLeavesTheFilter() {
        #expect(LoopbackSentCopies.anyFilter("tcp", loopbacks: []) == "tcp")
        #expect(LoopbackSentCopies.anyFilter(nil, loopbacks: []) == nil)
    }

    @Test("This namespace's loopback device is found by its flag")
    func findsTheLoopbackDevice() {
        let lo = if_nametoindex("lo")
        #expect(lo > 0 && LoopbackSentCopies.loopbackIndexes().contains(lo))
    }
}
