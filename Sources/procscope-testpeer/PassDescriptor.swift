import Glibc

/// `fd-receiver PATH HEIR_BYTES`: a process unrelated to the opener that receives a socket over a unix
/// socket (SCM_RIGHTS). Listens on PATH, prints `ready pid=P port=0`, takes one descriptor, waits 50 ms (its
/// sender is gone by then), sends HEIR_BYTES on it and exits.
func receiveDescriptor(path: String, bytes: Int) -> Never {
    let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = unixAddress(path)
    unlink(path)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard listener >= 0, bound == 0, listen(listener, 1) == 0 else { fail("unix listen") }
    ready(port: 0)
    let connection = accept(listener, nil, nil)
    guard connection >= 0 else { fail("unix accept") }
    // One byte of data carries the control message: a 16-byte cmsghdr and the descriptor, padded to 24.
    var control = [UInt8](repeating: 0, count: 24)
    let received = withOneByteMessage(0, control: &control) { recvmsg(connection, &$0, 0) }
    guard received == 1 else { fail("recvmsg") }
    let fd = control.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 16, as: Int32.self) }
    close(connection)
    close(listener)
    unlink(path)
    milliseconds(50)
    sendAll(fd, bytes)
    close(fd)
    exit(0)
}

/// `fd-pass ADDR PORT BYTES PATH`: connects, sends BYTES and lets the kernel put them on the wire (100 ms),
/// passes the socket over the unix socket at PATH (SCM_RIGHTS), prints `ready pid=P port=L` and exits: the
/// socket lives on in a process that is not its child.
func passDescriptor(host: String, port: UInt16, bytes: Int, path: String) -> Never {
    var (address, length, family) = socketAddress(host, port)
    let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0, withSockaddr(&address, { connect(fd, $0, length) }) == 0 else { fail("connect") }
    sendAll(fd, bytes)
    milliseconds(100)
    let unix = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var target = unixAddress(path)
    let connected = withUnsafePointer(to: &target) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(unix, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard unix >= 0, connected == 0 else { fail("unix connect") }
    var control = [UInt8](repeating: 0, count: 24)
    control.withUnsafeMutableBytes { raw in
        raw.storeBytes(of: 20, toByteOffset: 0, as: Int.self)                      // cmsg_len: header + one int
        raw.storeBytes(of: SOL_SOCKET, toByteOffset: 8, as: Int32.self)
        raw.storeBytes(of: 1 /* SCM_RIGHTS */, toByteOffset: 12, as: Int32.self)
        raw.storeBytes(of: fd, toByteOffset: 16, as: Int32.self)
    }
    let sent = withOneByteMessage(0x70, control: &control) { sendmsg(unix, &$0, 0) }
    guard sent == 1 else { fail("sendmsg") }
    ready(fd)
    exit(0)
}

/// A msghdr of one data byte (`byte`) and `control` as its control buffer, handed to sendmsg or recvmsg.
private func withOneByteMessage(_ byte: UInt8, control: inout [UInt8], _ call: (inout msghdr) -> Int) -> Int {
    var byte = byte
    return withUnsafeMutablePointer(to: &byte) { byte in
        control.withUnsafeMutableBytes { control in
            var vector = iovec(iov_base: UnsafeMutableRawPointer(byte), iov_len: 1)
            return withUnsafeMutablePointer(to: &vector) { vector in
                var message = msghdr()
                message.msg_iov = vector
                message.msg_iovlen = 1
                message.msg_control = control.baseAddress
                message.msg_controllen = control.count
                return call(&message)
            }
        }
    }
}

private func unixAddress(_ path: String) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        let bytes = Array(path.utf8.prefix(raw.count - 1))
        raw.copyBytes(from: bytes)
    }
    return address
}
