import Glibc

// procscope-testpeer: clients and servers for procscope's integration tests, whose PIDs the tests know.
// It prints one line `ready pid=P port=L` once its socket is set up, then does its job and exits:
//   tcp-server ADDR PORT SECONDS        accept and read everything until SECONDS pass
//   udp-server ADDR PORT SECONDS        receive datagrams until SECONDS pass
//   udp-echo ADDR PORT SECONDS          answer every datagram with itself until SECONDS pass
//   tcp-client ADDR PORT BYTES LINGER_MS [WAIT_MS]   connect, (wait WAIT_MS), send, linger, close, exit
//   udp-client ADDR PORT BYTES LINGER_MS [BIND_PORT [COUNT]]  send one datagram (or COUNT, 0.2 ms apart)
//                                       (from BIND_PORT), linger, exit
//   ping ADDR COUNT LINGER_MS [raw]     COUNT echo requests from a ping socket (or a raw ICMP socket), linger, exit
//   udp-ask ADDR PORT BYTES LINGER_MS   a connected UDP socket asks and waits for the answer (a resolver's
//                                       question), is closed at once, and the process lingers, then exits
//   tcp-client-setuid ADDR PORT BYTES LINGER_MS UID   as tcp-client, but drops to UID after creating the socket
//   raw ADDR PROTO COUNT LINGER_MS      COUNT 100-byte packets of IP protocol PROTO from a raw socket, linger, exit
//   inject IFACE SRC DST SPORT DPORT COUNT LINGER_MS   COUNT Ethernet frames (zero MACs) carrying a UDP
//                                       datagram SRC:SPORT > DST:DPORT, written to IFACE through an AF_PACKET
//                                       socket (the port printed is SPORT), linger, exit
//   mptcp-server, mptcp-client          as tcp-server and tcp-client, over IPPROTO_MPTCP
//   tcp-probe ADDR PORT BIND_PORT LINGER_MS   a SYN from BIND_PORT to a port nobody listens on (refused), linger, exit
//   udp-flood ADDR PORT SECONDS SIZE    SIZE-byte datagrams as fast as one core sends them, for SECONDS
//   tcp-bulk ADDR PORT BYTES            connect and send BYTES as fast as possible
//   udp-sink ADDR PORT SECONDS          a bound UDP socket that never reads (no ICMP errors, no reader's cost)
//                                       (both end with a line `sent packets=N bytes=B seconds=T`; for benchmarks)
//   handover ADDR PORT BYTES HEIR_BYTES   connect, send, fork a child that execs `heir` on the socket, exit
//                                       (prints a second line `heir pid=C`)
//   fd-receiver PATH HEIR_BYTES        receive a socket over the unix socket PATH (SCM_RIGHTS), send on it, exit
//   fd-pass ADDR PORT BYTES PATH       connect, send, pass the socket to the fd-receiver at PATH, exit
//   churn ADDR PORT COUNT              COUNT short TCP connections in a row from one process
//   crowd PROCESSES SOCKETS SECONDS    PROCESSES idle children holding SOCKETS sockets each (a busy host)
// LINGER_MS 0 means exit right after sending: the hardest case for attribution.

func complain(_ text: String) {
    _ = text.withCString { write(2, $0, strlen($0)) }
}

func fail(_ message: String) -> Never {
    complain("procscope-testpeer: \(message): \(String(cString: strerror(errno)))\n")
    exit(2)
}

/// A numeric IPv4/IPv6 address and port as a sockaddr_storage.
func socketAddress(_ host: String, _ port: UInt16) -> (sockaddr_storage, socklen_t, Int32) {
    var storage = sockaddr_storage()
    if host.contains(":") {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { fail("bad address \(host)") }
        withUnsafeBytes(of: address) { bytes in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) } }
        return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size), AF_INET6)
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { fail("bad address \(host)") }
    withUnsafeBytes(of: address) { bytes in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) } }
    return (storage, socklen_t(MemoryLayout<sockaddr_in>.size), AF_INET)
}

func withSockaddr<T>(_ storage: inout sockaddr_storage, _ body: (UnsafePointer<sockaddr>) -> T) -> T {
    withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
}

func localPort(_ fd: Int32) -> UInt16 {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
    }
    return withUnsafeBytes(of: storage) { UInt16(bigEndian: $0.loadUnaligned(fromByteOffset: 2, as: UInt16.self)) }
}

func ready(_ fd: Int32) {
    ready(port: localPort(fd))
}

func ready(port: UInt16) {
    let line = "ready pid=\(getpid()) port=\(port)\n"
    _ = line.withCString { write(1, $0, strlen($0)) }
}

/// RFC 1071 Internet checksum.
func internetChecksum(_ bytes: [UInt8]) -> UInt16 {
    var sum: UInt32 = 0
    for index in stride(from: 0, to: bytes.count, by: 2) {
        sum += UInt32(bytes[index]) << 8 | UInt32(index + 1 < bytes.count ? bytes[index + 1] : 0)
    }
    while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
    return ~UInt16(sum)
}

/// Echo requests from a ping socket (SOCK_DGRAM: the kernel sets the identifier, the socket's "port") or a
/// raw ICMP socket (the identifier is the low bits of the PID); the ready line's port is the identifier.
func ping(host: String, count: Int, lingerMs: Int, raw: Bool) -> Never {
    var (address, length, family) = socketAddress(host, 0)
    let proto = family == AF_INET6 ? Int32(IPPROTO_ICMPV6) : Int32(IPPROTO_ICMP)
    let fd = socket(family, Int32(raw ? SOCK_RAW.rawValue : SOCK_DGRAM.rawValue), proto)
    guard fd >= 0 else { fail("socket(ping)") }
    let identifier = UInt16(truncatingIfNeeded: getpid())
    for sequence in 0..<count {
        var packet: [UInt8] = [family == AF_INET6 ? 128 : 8, 0, 0, 0,
                               UInt8(identifier >> 8), UInt8(identifier & 0xFF), 0, UInt8(sequence & 0xFF)]
        packet += [UInt8](repeating: 0x70, count: 56)
        if family == AF_INET {
            let sum = internetChecksum(packet)
            packet[2] = UInt8(sum >> 8)
            packet[3] = UInt8(sum & 0xFF)
        }
        guard withSockaddr(&address, { sendto(fd, packet, packet.count, 0, $0, length) }) == packet.count else { fail("sendto") }
        if sequence == 0 { ready(port: raw ? identifier : localPort(fd)) }
        if sequence + 1 < count { milliseconds(10) }
    }
    milliseconds(lingerMs)
    close(fd)
    exit(0)
}

func milliseconds(_ value: Int) {
    if value > 0 { usleep(useconds_t(value * 1000)) }
}

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func server(udp: Bool, host: String, port: UInt16, seconds: Double) -> Never {
    var (address, length, family) = socketAddress(host, port)
    let fd = socket(family, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), udp ? 0 : streamProtocol())
    guard fd >= 0 else { fail("socket") }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    guard withSockaddr(&address, { bind(fd, $0, length) }) == 0 else { fail("bind") }
    if !udp { guard listen(fd, 4096) == 0 else { fail("listen") } }
    ready(fd)
    // Non-blocking, so each turn accepts every waiting connection: one a turn let a client that connects back
    // to back fill the queue whenever this process was kept off the CPU, and each SYN dropped then cost the
    // client a second (benchmarks measured those seconds, not the capture beside them).
    if !udp { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    let deadline = now() + seconds
    var buffer = [UInt8](repeating: 0, count: 65536)
    var clients: [Int32] = []
    while now() < deadline {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)] + clients.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        guard poll(&fds, nfds_t(fds.count), 50) > 0 else { continue }
        if fds[0].revents != 0 {
            if udp {
                _ = recv(fd, &buffer, buffer.count, 0)
            } else {
                while case let client = accept(fd, nil, nil), client >= 0 { clients.append(client) }
            }
        }
        for entry in fds.dropFirst() where entry.revents != 0 {
            if recv(entry.fd, &buffer, buffer.count, 0) <= 0 {
                close(entry.fd)
                clients.removeAll { $0 == entry.fd }
            }
        }
    }
    exit(0)
}

func client(udp: Bool, host: String, port: UInt16, bytes: Int, lingerMs: Int, extra: Int, count: Int = 1,
            dropTo uid: uid_t? = nil) -> Never {
    var (address, length, family) = socketAddress(host, port)
    let fd = socket(family, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), udp ? 0 : streamProtocol())
    guard fd >= 0 else { fail("socket") }
    // The socket keeps the uid it was created with (root); the process runs on as `uid`.
    if let uid { guard setgid(gid_t(uid)) == 0, setuid(uid) == 0 else { fail("setuid") } }
    let payload = [UInt8](repeating: 0x61, count: bytes)
    if udp {
        if extra > 0 {
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var (local, localLength, _) = socketAddress(family == AF_INET6 ? "::" : "0.0.0.0", UInt16(extra))
            guard withSockaddr(&local, { bind(fd, $0, localLength) }) == 0 else { fail("bind") }
        }
        guard withSockaddr(&address, { sendto(fd, payload, payload.count, 0, $0, length) }) == payload.count else { fail("sendto") }
        ready(fd)
        for _ in 1..<max(1, count) {
            usleep(200)
            guard withSockaddr(&address, { sendto(fd, payload, payload.count, 0, $0, length) }) == payload.count else { fail("sendto") }
        }
    } else {
        guard withSockaddr(&address, { connect(fd, $0, length) }) == 0 else { fail("connect") }
        ready(fd)
        milliseconds(extra)
        var sent = 0
        while sent < payload.count {
            let count = payload[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { fail("send") }
            sent += count
        }
    }
    milliseconds(lingerMs)
    close(fd)
    exit(0)
}

/// Packets of any IP protocol from a raw socket (the kernel writes the IP header); the ready line's port is
/// the protocol.
func rawSender(host: String, proto: Int32, count: Int, lingerMs: Int) -> Never {
    var (address, length, family) = socketAddress(host, 0)
    let fd = socket(family, Int32(SOCK_RAW.rawValue), proto)
    guard fd >= 0 else { fail("socket(raw)") }
    let payload = [UInt8](repeating: 0x72, count: 100)
    for index in 0..<count {
        guard withSockaddr(&address, { sendto(fd, payload, payload.count, 0, $0, length) }) == payload.count else { fail("sendto") }
        if index == 0 { ready(port: UInt16(proto)) }
    }
    milliseconds(lingerMs)
    close(fd)
    exit(0)
}

/// IPPROTO_MPTCP for the mptcp- modes, else 0 (TCP).
func streamProtocol() -> Int32 {
    CommandLine.arguments.count > 1 && CommandLine.arguments[1].hasPrefix("mptcp-") ? 262 : 0
}

/// Frames written straight to an interface through an AF_PACKET socket: no inet socket is involved, as with
/// scapy's sendp or a traffic generator.
func inject(interface: String, source: String, destination: String, sourcePort: UInt16, destinationPort: UInt16,
            count: Int, lingerMs: Int) -> Never {
    let fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), 0) // protocol 0: sends only, receives nothing
    guard fd >= 0 else { fail("socket(AF_PACKET)") }
    // struct sockaddr_ll (linux/if_packet.h, not in the Glibc module): family, protocol, ifindex, hatype,
    // pkttype, halen, addr[8]: 20 bytes.
    let index = if_nametoindex(interface)
    guard index > 0 else { fail("no interface \(interface)") }
    var link = [UInt8](repeating: 0, count: 20)
    withUnsafeBytes(of: UInt16(AF_PACKET)) { link.replaceSubrange(0..<2, with: $0) }
    withUnsafeBytes(of: Int32(index)) { link.replaceSubrange(4..<8, with: $0) }
    link[11] = 6
    var from = in_addr(), to = in_addr()
    guard inet_pton(AF_INET, source, &from) == 1, inet_pton(AF_INET, destination, &to) == 1 else { fail("bad address") }
    let payload = [UInt8](repeating: 0x69, count: 64)
    func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    let addresses = withUnsafeBytes(of: from.s_addr) { Array($0) } + withUnsafeBytes(of: to.s_addr) { Array($0) }
    var ip: [UInt8] = [0x45, 0] + be16(UInt16(20 + 8 + payload.count)) + [0x12, 0x34, 0x40, 0, 64, 17, 0, 0] + addresses
    let sum = internetChecksum(ip)
    ip[10] = UInt8(sum >> 8)
    ip[11] = UInt8(sum & 0xFF)
    let udp = be16(sourcePort) + be16(destinationPort) + be16(UInt16(8 + payload.count)) + [0, 0] // no checksum
    let frame = [UInt8](repeating: 0, count: 12) + [0x08, 0x00] + ip + udp + payload
    for index in 0..<count {
        let sent = link.withUnsafeBytes {
            sendto(fd, frame, frame.count, 0, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        guard sent == frame.count else { fail("sendto(AF_PACKET)") }
        if index == 0 { ready(port: sourcePort) }
        if index + 1 < count { milliseconds(10) }
    }
    milliseconds(lingerMs)
    close(fd)
    exit(0)
}

/// A connection attempt to a closed port, from a fixed port (a refused socket loses an ephemeral one).
func probe(host: String, port: UInt16, from bindPort: UInt16, lingerMs: Int) -> Never {
    var (address, length, family) = socketAddress(host, port)
    let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { fail("socket") }
    var (local, localLength, _) = socketAddress(family == AF_INET6 ? "::" : "0.0.0.0", bindPort)
    guard withSockaddr(&local, { bind(fd, $0, localLength) }) == 0 else { fail("bind") }
    let refused = withSockaddr(&address, { connect(fd, $0, length) }) != 0 && errno == ECONNREFUSED
    guard refused else { fail("connect was not refused") }
    ready(port: bindPort)
    milliseconds(lingerMs)
    close(fd)
    exit(0)
}

/// A benchmark load: datagrams (`udp`) or a byte stream, as fast as this one thread can send, then a line
/// saying how much went out in how long.
func flood(udp: Bool, host: String, port: UInt16, seconds: Double, size: Int, bytes total: Int) -> Never {
    var (address, length, family) = socketAddress(host, port)
    let fd = socket(family, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { fail("socket") }
    guard withSockaddr(&address, { connect(fd, $0, length) }) == 0 else { fail("connect") }
    ready(fd)
    let payload = [UInt8](repeating: 0x62, count: udp ? size : 65536)
    let start = now()
    var packets = 0, sent = 0
    payload.withUnsafeBytes { buffer in
        while true {
            let count = send(fd, buffer.baseAddress, udp ? buffer.count : min(buffer.count, total - sent), 0)
            if count > 0 { packets += 1; sent += count } else if errno != ENOBUFS && errno != ECONNREFUSED { break }
            if udp ? (packets & 1023 == 0 && now() - start >= seconds) : sent >= total { break }
        }
    }
    let line = "sent packets=\(packets) bytes=\(sent) seconds=\(now() - start)\n"
    _ = line.withCString { write(1, $0, strlen($0)) }
    close(fd)
    exit(0)
}

let arguments = CommandLine.arguments
if arguments.count >= 6 && arguments[1] == "udp-flood" {
    flood(udp: true, host: arguments[2], port: UInt16(arguments[3]) ?? 9, seconds: Double(arguments[4]) ?? 5,
          size: Int(arguments[5]) ?? 18, bytes: 0)
}
if arguments.count >= 6 && arguments[1] == "handover" {
    handOver(host: arguments[2], port: UInt16(arguments[3]) ?? 9, bytes: Int(arguments[4]) ?? 1,
             heirBytes: Int(arguments[5]) ?? 1)
}
if arguments.count >= 4 && arguments[1] == "heir" {
    heir(fd: Int32(arguments[2]) ?? -1, bytes: Int(arguments[3]) ?? 1)
}
if arguments.count >= 4 && arguments[1] == "fd-receiver" {
    receiveDescriptor(path: arguments[2], bytes: Int(arguments[3]) ?? 1)
}
if arguments.count >= 6 && arguments[1] == "fd-pass" {
    passDescriptor(host: arguments[2], port: UInt16(arguments[3]) ?? 9, bytes: Int(arguments[4]) ?? 1, path: arguments[5])
}
if arguments.count >= 5 && arguments[1] == "churn" {
    churn(host: arguments[2], port: UInt16(arguments[3]) ?? 9, count: Int(arguments[4]) ?? 1000)
}
if arguments.count >= 5 && arguments[1] == "crowd" {
    crowd(processes: Int(arguments[2]) ?? 1000, sockets: Int(arguments[3]) ?? 50, seconds: Double(arguments[4]) ?? 60)
}
if arguments.count >= 5 && arguments[1] == "udp-sink" {
    var (address, length, family) = socketAddress(arguments[2], UInt16(arguments[3]) ?? 9)
    let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0, withSockaddr(&address, { bind(fd, $0, length) }) == 0 else { fail("udp-sink") }
    ready(fd)
    milliseconds(Int((Double(arguments[4]) ?? 10) * 1000))
    exit(0)
}
if arguments.count >= 5 && arguments[1] == "tcp-bulk" {
    flood(udp: false, host: arguments[2], port: UInt16(arguments[3]) ?? 9, seconds: 0, size: 0,
          bytes: Int(arguments[4]) ?? 1 << 30)
}
if arguments.count >= 6 && arguments[1] == "tcp-probe" {
    probe(host: arguments[2], port: UInt16(arguments[3]) ?? 9, from: UInt16(arguments[4]) ?? 40000,
          lingerMs: Int(arguments[5]) ?? 0)
}
if arguments.count >= 9 && arguments[1] == "inject" {
    inject(interface: arguments[2], source: arguments[3], destination: arguments[4],
           sourcePort: UInt16(arguments[5]) ?? 1, destinationPort: UInt16(arguments[6]) ?? 9,
           count: Int(arguments[7]) ?? 1, lingerMs: Int(arguments[8]) ?? 0)
}
if arguments.count >= 6 && arguments[1] == "raw" {
    rawSender(host: arguments[2], proto: Int32(arguments[3]) ?? 253, count: Int(arguments[4]) ?? 1,
              lingerMs: Int(arguments[5]) ?? 0)
}
if arguments.count >= 5 && arguments[1] == "ping" {
    ping(host: arguments[2], count: Int(arguments[3]) ?? 1, lingerMs: Int(arguments[4]) ?? 0,
         raw: arguments.count > 5 && arguments[5] == "raw")
}
guard arguments.count >= 5, let port = UInt16(arguments[3]) else {
    complain("usage: procscope-testpeer tcp-server|udp-server|tcp-client|udp-client ADDR PORT ... | ping ADDR COUNT LINGER_MS [raw]\n")
    exit(2)
}
switch arguments[1] {
case "tcp-server", "udp-server", "mptcp-server":
    server(udp: arguments[1] == "udp-server", host: arguments[2], port: port, seconds: Double(arguments[4]) ?? 5)
case "tcp-client", "udp-client", "mptcp-client":
    let bytes = Int(arguments[4]) ?? 100
    let linger = arguments.count > 5 ? Int(arguments[5]) ?? 0 : 0
    let extra = arguments.count > 6 ? Int(arguments[6]) ?? 0 : 0
    let count = arguments.count > 7 ? Int(arguments[7]) ?? 1 : 1
    client(udp: arguments[1] == "udp-client", host: arguments[2], port: port, bytes: bytes, lingerMs: linger, extra: extra,
           count: count)
case "udp-echo":
    udpEcho(host: arguments[2], port: port, seconds: Double(arguments[4]) ?? 5)
case "udp-ask":
    udpAsk(host: arguments[2], port: port, bytes: Int(arguments[4]) ?? 100,
           lingerMs: arguments.count > 5 ? Int(arguments[5]) ?? 0 : 0)
case "tcp-client-setuid":
    client(udp: false, host: arguments[2], port: port, bytes: Int(arguments[4]) ?? 100,
           lingerMs: arguments.count > 5 ? Int(arguments[5]) ?? 0 : 0, extra: 0,
           dropTo: arguments.count > 6 ? uid_t(arguments[6]) ?? 65534 : 65534)
default:
    complain("procscope-testpeer: unknown mode \(arguments[1])\n")
    exit(2)
}
