import Glibc

/// `handover ADDR PORT BYTES HEIR_BYTES`: a socket that changes hands. Connects, sends BYTES and lets the
/// kernel put them on the wire (100 ms: what a process queued but the kernel sends after its exit is counted
/// from the exit on, with the heir's traffic), forks a child
/// that execs `procscope-testpeer heir FD HEIR_BYTES` on the inherited socket, prints `ready pid=P port=L`
/// and `heir pid=C`, and exits at once; the heir waits 50 ms (its opener is gone by then), sends HEIR_BYTES
/// and exits.
func handOver(host: String, port: UInt16, bytes: Int, heirBytes: Int) -> Never {
    var (address, length, family) = socketAddress(host, port)
    let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0, withSockaddr(&address, { connect(fd, $0, length) }) == 0 else { fail("connect") }
    sendAll(fd, bytes)
    milliseconds(100)
    let child = fork()
    if child < 0 { fail("fork") }
    if child == 0 {
        let arguments = [CommandLine.arguments[0], "heir", String(fd), String(heirBytes)]
        var cArguments = arguments.map { strdup($0) } + [nil]
        execv(CommandLine.arguments[0], &cArguments)
        fail("execv")
    }
    ready(fd)
    let line = "heir pid=\(child)\n"
    _ = line.withCString { write(1, $0, strlen($0)) }
    exit(0)
}

/// The heir's half: sends on the socket it inherited, then closes it.
func heir(fd: Int32, bytes: Int) -> Never {
    milliseconds(50)
    sendAll(fd, bytes)
    close(fd)
    exit(0)
}

func sendAll(_ fd: Int32, _ bytes: Int) {
    let chunk = [UInt8](repeating: 0x68, count: 65536)
    var sent = 0
    while sent < bytes {
        let count = chunk.withUnsafeBytes { send(fd, $0.baseAddress, min($0.count, bytes - sent), 0) }
        guard count > 0 else { fail("send") }
        sent += count
    }
}
