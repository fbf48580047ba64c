import ProcscopeCore
import Testing

/// The recent destroy events a lookup asks when its socket is gone: the oldest close since the flow began that
/// covers it, kept within a bound.
@Suite struct RecentClosesTests {
    let client = Endpoint(address: IPAddress(ipv4: 0x7f00_0001), port: 40_000)
    let server = Endpoint(address: IPAddress(ipv4: 0x7f00_0001), port: 80)

    func close(_ local: Endpoint, _ remote: Endpoint, cookie: UInt64, at seconds: Int64,
               proto: IPProtocol = .tcp) -> SocketClosed {
        SocketClosed(key: FlowKey(proto: proto, local: local, remote: remote, hasPorts: true),
                     cookie: cookie, closedAt: Timestamp(seconds: seconds, microseconds: 0))
    }

    @Test("The first close at or after the flow's start that covers it is found; an earlier one on the tuple is not")
    func oldestCoveringCloseSinceTheStartIsFound() {
        var closes = RecentCloses()
        closes.append(close(client, server, cookie: 1, at: 10))
        closes.append(close(client, server, cookie: 2, at: 20))
        closes.append(close(client, server, cookie: 3, at: 30))
        let key = FlowKey(proto: .tcp, local: client, remote: server, hasPorts: true)
        #expect(closes.first(covering: key, since: Timestamp(seconds: 15, microseconds: 0))?.cookie == 2)
        #expect(closes.first(covering: key, since: Timestamp(seconds: 31, microseconds: 0)) == nil)
        #expect(closes.first(covering: FlowKey(proto: .udp, local: client, remote: server, hasPorts: true),
                             since: Timestamp(seconds: 0, microseconds: 0)) == nil, "another protocol")
    }

    @Test("An unconnected UDP socket's close (wildcard address, no peer) covers its conversations")
    func wildcardCloseCoversAConversation() {
        var closes = RecentCloses()
        let wildcard = Endpoint(address: IPAddress(ipv4: 0), port: 5353)
        closes.append(close(wildcard, Endpoint(address: IPAddress(ipv4: 0), port: 0), cookie: 9, at: 5, proto: .udp))
        let key = FlowKey(proto: .udp, local: Endpoint(address: IPAddress(ipv4: 0x7f00_0001), port: 5353),
                          remote: server, hasPorts: true)
        #expect(closes.first(covering: key, since: Timestamp(seconds: 1, microseconds: 0))?.cookie == 9)
    }

    @Test("Past its limit the oldest closes go and the newest half stays")
    func theOldestAreDroppedPastTheLimit() {
        var closes = RecentCloses(limit: 8)
        for i in 0..<9 {
            closes.append(close(Endpoint(address: client.address, port: UInt16(1000 + i)), server,
                                cookie: UInt64(i), at: Int64(i)))
        }
        #expect(closes.count == 4)
        func found(_ i: Int, since seconds: Int64) -> Bool {
            closes.first(covering: FlowKey(proto: .tcp, local: Endpoint(address: client.address, port: UInt16(1000 + i)),
                                           remote: server, hasPorts: true),
                         since: Timestamp(seconds: seconds, microseconds: 0)) != nil
        }
        #expect((0..<5).allSatisfy { !found($0, since: 0) })
        #expect((5..<9).allSatisfy { found($0, since: Int64($0)) })
    }

    @Test("A flow that began before a dropped close is told of none, never given a later socket's close on its reused tuple")
    func aDroppedCloseIsNotReplacedByALaterOne() {
        var closes = RecentCloses(limit: 8)
        closes.append(close(client, server, cookie: 1, at: 10))
        for i in 0..<8 {
            closes.append(close(Endpoint(address: client.address, port: UInt16(1000 + i)), server,
                                cookie: UInt64(100 + i), at: 11))
        }
        closes.append(close(client, server, cookie: 2, at: 20)) // the tuple reused by a later connection
        let key = FlowKey(proto: .tcp, local: client, remote: server, hasPorts: true)
        #expect(closes.first(covering: key, since: Timestamp(seconds: 9, microseconds: 0)) == nil)
        #expect(closes.first(ofTuple: key, since: Timestamp(seconds: 9, microseconds: 0)) == nil)
        #expect(closes.first(covering: key, since: Timestamp(seconds: 15, microseconds: 0))?.cookie == 2)
    }

    @Test("Closes older than a cutoff are dropped, and flows that began before it are told of none")
    func oldClosesAreDroppedByAge() {
        var closes = RecentCloses()
        closes.append(close(client, server, cookie: 1, at: 10))
        closes.append(close(client, server, cookie: 2, at: 30))
        closes.drop(closedBefore: Timestamp(seconds: 20, microseconds: 0))
        #expect(closes.count == 1)
        let key = FlowKey(proto: .tcp, local: client, remote: server, hasPorts: true)
        #expect(closes.first(covering: key, since: Timestamp(seconds: 5, microseconds: 0)) == nil)
        #expect(closes.first(covering: key, since: Timestamp(seconds: 25, microseconds: 0))?.cookie == 2)
    }
}

extension RecentClosesTests {
    @Test("Of a connected and an unconnected close that both cover a conversation, the older is found")
    func olderOfConnectedAndUnconnectedIsFound() {
        var closes = RecentCloses()
        let wildcard = Endpoint(address: IPAddress(ipv4: 0), port: 40_000)
        closes.append(close(wildcard, Endpoint(address: IPAddress(ipv4: 0), port: 0), cookie: 1, at: 10, proto: .udp))
        closes.append(close(client, server, cookie: 2, at: 20, proto: .udp))
        let key = FlowKey(proto: .udp, local: client, remote: server, hasPorts: true)
        #expect(closes.first(covering: key, since: Timestamp(seconds: 5, microseconds: 0))?.cookie == 1)
        #expect(closes.first(covering: key, since: Timestamp(seconds: 15, microseconds: 0))?.cookie == 2)
    }
}

extension RecentClosesTests {
    @Test("A tuple's own close is found apart from its listener's or an unconnected socket's on the port, and from another peer's")
    func ownTuplesCloseIsFoundAlone() {
        var closes = RecentCloses()
        let wildcard = Endpoint(address: IPAddress(ipv4: 0), port: 0)
        let otherPeer = Endpoint(address: IPAddress(ipv4: 0x7f00_0002), port: client.port)
        closes.append(close(server, wildcard, cookie: 1, at: 10)) // the listener
        closes.append(close(server, otherPeer, cookie: 2, at: 11)) // the same remote port on another address
        let key = FlowKey(proto: .tcp, local: server, remote: client, hasPorts: true)
        let since = Timestamp(seconds: 5, microseconds: 0)
        #expect(closes.first(covering: key, since: since)?.cookie == 1, "the listener's close covers it")
        #expect(closes.first(ofTuple: key, since: since) == nil)
        closes.append(close(server, client, cookie: 3, at: 12))
        #expect(closes.first(ofTuple: key, since: since)?.cookie == 3)
        #expect(closes.first(ofTuple: key, since: Timestamp(seconds: 13, microseconds: 0)) == nil)
    }
}
