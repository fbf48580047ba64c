@testable import ProcscopeCore
import Testing

/// The per-frame address lookups (this host's addresses, other namespaces' addresses) answer as a dictionary
/// would, for addresses that crowd one probe run too.
@Suite struct AddressTableTests {
    @Test("Finds every address it was built with, and no other, across IPv4 and IPv6; the last value of a repeat wins")
    func answersAsADictionary() {
        var expected: [IPAddress: UInt16] = [:]
        for i in 0..<300 {
            expected[IPAddress(ipv4: 0xC612_0000 | UInt32(i))] = UInt16(i)
            expected[IPAddress(high: 0xFDBE_00AC_0000_0000, low: UInt64(i) << 32)] = UInt16(1000 + i)
        }
        let pairs = expected.map { ($0.key, $0.value) } + [(IPAddress(ipv4: 0xC612_0005), UInt16(77))]
        expected[IPAddress(ipv4: 0xC612_0005)] = 77
        let table = AddressTable(pairs)
        #expect(table.count == expected.count)
        #expect(expected.allSatisfy { table[$0.key] == $0.value })
        for i in 300..<2000 {
            #expect(table[IPAddress(ipv4: 0xC612_0000 | UInt32(i))] == nil)
            #expect(table[IPAddress(high: 0xFDBE_00AC_0000_0000, low: UInt64(i) << 32)] == nil)
        }
        #expect(Set(table.addresses) == Set(expected.keys))
    }

    @Test("An empty table answers nil; the local set keeps loopback ranges local without listing them")
    func emptyAndLocal() {
        #expect(AddressTable<UInt16>()[IPAddress(ipv4: 1)] == nil)
        let local = LocalAddressSet([IPAddress(ipv4: 0xC612_0001)])
        #expect(local.contains(IPAddress(ipv4: 0xC612_0001)) && local.contains(IPAddress(ipv4: 0x7F00_0001)))
        #expect(!local.contains(IPAddress(ipv4: 0xC612_0002)))
        #expect(local.all == [IPAddress(ipv4: 0xC612_0001)])
    }
}
