import CProcscopeLinux
import Glibc
import ProcscopeCore
import Synchronization

/// Serves `/metrics` (Prometheus's text format) over HTTP/1.1 on a thread of its own.
///
/// The capture thread renders the figures (it owns the session) and hands the text over with `publish`; the
/// server only copies the latest text out, so a scrape never touches the session and a slow scraper never
/// slows the capture. One connection at a time, each closed after its answer: Prometheus scrapes one target
/// with one request at a time, and a request must arrive within two seconds and fit in 8 KiB.
///
/// Hand-written, not swift-nio or hummingbird: one path, GET and HEAD, no keep-alive; a small loop over
/// poll/accept/recv/send costs no dependency, no event-loop threads, and is easy to fuzz and to read.
public final class MetricsServer: @unchecked Sendable {
    private let listener: Int32
    private let wakeDescriptor: Int32
    private let body = Mutex<[UInt8]>([])
    private let stopping = Atomic<Bool>(false)
    private var thread: pthread_t?
    /// What the server listens on, as given.
    public let address: String

    /// Listens on `host` and `port`; `address` is how the user gave them (for messages).
    public init(host: IPAddress, port: UInt16, address: String) throws {
        self.address = address
        let (storage, length, family) = Self.socketAddress(host, port)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw MetricsListenError(address: address, call: "socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let error = errno
            close(fd)
            throw MetricsListenError(address: address, call: bound == 0 ? "listen" : "bind", errno: error)
        }
        listener = fd
        wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
    }

    /// `host` and `port` as bind(2) takes them: IPv4 for an IPv4 address, IPv6 otherwise (`::` is every
    /// address, IPv4 ones included).
    static func socketAddress(_ host: IPAddress, _ port: UInt16) -> (sockaddr_storage, socklen_t, Int32) {
        var storage = sockaddr_storage()
        func store<Address>(_ address: Address) -> socklen_t {
            withUnsafeBytes(of: address) { bytes in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) } }
            return socklen_t(MemoryLayout<Address>.size)
        }
        if host.isIPv4 {
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            v4.sin_addr.s_addr = host.ipv4Value.bigEndian
            let length = store(v4) // before `storage` is read
            return (storage, length, AF_INET)
        }
        var v6 = sockaddr_in6()
        v6.sin6_family = sa_family_t(AF_INET6)
        v6.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &v6.sin6_addr) { $0.copyBytes(from: host.bytes16) }
        let length = store(v6)
        return (storage, length, AF_INET6)
    }

    deinit {
        stop()
        close(listener)
        if wakeDescriptor >= 0 { close(wakeDescriptor) }
    }

    /// The port listened on (the one asked for, or the kernel's choice for port 0).
    public var port: UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        return withUnsafeBytes(of: storage) { UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self)) }
    }

    /// Replaces what the next scrape gets.
    public func publish(_ text: String) {
        let bytes = Array(text.utf8)
        body.withLock { $0 = bytes }
    }

    public func start() {
        guard thread == nil else { return }
        let context = Unmanaged.passRetained(self).toOpaque()
        var created = pthread_t()
        let result = pthread_create(&created, nil, { context in
            let server = Unmanaged<MetricsServer>.fromOpaque(context!).takeRetainedValue()
            server.serve()
            return nil
        }, context)
        if result == 0 { thread = created } else { Unmanaged<MetricsServer>.fromOpaque(context).release() }
    }

    /// Stops serving and waits for the thread (at most the two seconds of a request in progress).
    public func stop() {
        guard let thread else { return }
        stopping.store(true, ordering: .relaxed)
        eventfd_write(wakeDescriptor, 1)
        pthread_join(thread, nil)
        self.thread = nil
    }

    private func serve() {
        var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        while !stopping.load(ordering: .relaxed) {
            let ready = poll(&fds, 2, -1)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 || fds[1].revents != 0 { break }
            guard fds[0].revents != 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue } // a client gone before accept, or out of descriptors: next one
            answer(client)
            close(client)
        }
    }

    /// Reads one request and writes its answer.
    private func answer(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2048)
        while request.count < MetricsRequest.maximumLength && !MetricsRequest.isComplete(request) {
            let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            request.append(contentsOf: chunk[0..<count])
        }
        let response = MetricsRequest.response(to: request, metrics: { body.withLock { $0 } })
        var sent = 0
        while sent < response.count {
            let count = response.withUnsafeBytes { send(client, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return } // the scraper went away: nothing to do for it
            sent += count
        }
    }
}
