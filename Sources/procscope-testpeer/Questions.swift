import Glibc

/// `udp-echo ADDR PORT SECONDS`: answers every datagram with itself until SECONDS pass, as a DNS server
/// answers a question. Prints `ready pid=P port=L` once bound.
func udpEcho(host: String, port: UInt16, seconds: Double) -> Never {
    var (address, length, family) = socketAddress(host, port)
    let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { fail("socket") }
    guard withSockaddr(&address, { bind(fd, $0, length) }) == 0 else { fail("bind") }
    ready(fd)
    let deadline = now() + seconds
    var buffer = [UInt8](repeating: 0, count: 65536)
    while now() < deadline {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, 50) > 0 else { continue }
        var peer = sockaddr_storage()
        var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let received = withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &peerLength) }
        }
        guard received >= 0 else { continue }
        _ = withSockaddr(&peer) { sendto(fd, buffer, received, 0, $0, peerLength) }
    }
    exit(0)
}

/// `udp-ask ADDR PORT BYTES LINGER_MS`: a resolver's question: a connected UDP socket sends BYTES, waits up
/// to a second for the answer, and is closed at once; the process lingers LINGER_MS, then exits. The socket
/// is gone before a lookup can find it, while its process lives on. Prints `ready pid=P port=L` once the
/// answer came (or the wait ended).
func udpAsk(host: String, port: UInt16, bytes: Int, lingerMs: Int) -> Never {
    var (address, length, family) = socketAddress(host, port)
    let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { fail("socket") }
    guard withSockaddr(&address, { connect(fd, $0, length) }) == 0 else { fail("connect") }
    let payload = [UInt8](repeating: 0x71, count: bytes)
    guard send(fd, payload, payload.count, 0) == payload.count else { fail("send") }
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    var answer = [UInt8](repeating: 0, count: 65536)
    if poll(&entry, 1, 1000) > 0 { _ = recv(fd, &answer, answer.count, 0) }
    let port = localPort(fd)
    close(fd)
    ready(port: port)
    milliseconds(lingerMs)
    exit(0)
}
