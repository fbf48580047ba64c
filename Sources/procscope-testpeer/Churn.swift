import Glibc

/// `churn ADDR PORT COUNT`: COUNT short TCP connections one after the other from one process (connect, send
/// 100 bytes, close), as a busy server's clients make them: the load under which a long capture's memory
/// must stay flat. Prints `ready pid=P port=0` first and `done connections=N` at the end.
func churn(host: String, port: UInt16, count: Int) -> Never {
    var (address, length, family) = socketAddress(host, port)
    ready(port: 0)
    let payload = [UInt8](repeating: 0x63, count: 100)
    var made = 0
    for _ in 0..<count {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { fail("socket") }
        // RST on close: no TIME_WAIT, so 100,000 connections do not run out of local ports.
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        if withSockaddr(&address, { connect(fd, $0, length) }) == 0 {
            _ = send(fd, payload, payload.count, 0)
            made += 1
        }
        close(fd)
    }
    let line = "done connections=\(made)\n"
    _ = line.withCString { write(1, $0, strlen($0)) }
    exit(0)
}
