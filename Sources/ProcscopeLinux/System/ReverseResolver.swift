import Foundation
import Glibc
import ProcscopeCore
import Synchronization

/// `--resolve`: remote addresses named by the system resolver (getnameinfo, so /etc/hosts, DNS and whatever
/// nsswitch.conf says), on a thread of its own: a lookup can take seconds, and the capture thread never waits
/// for one. Each address is asked once (a bounded memory of those asked); answers are collected by the
/// capture loop (`takeAnswers`) into the session's remote names. Nothing is asked unless the user said so.
public final class ReverseResolver: @unchecked Sendable {
    public struct Answer: Sendable {
        public let address: IPAddress
        public let name: String
        public let askedAt: Timestamp
    }

    private let waiting = Mutex<[(IPAddress, Timestamp)]>([])
    private let answers = Mutex<[Answer]>([])
    private let wake = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    /// Addresses already asked, on the capture thread; forgotten whole when full (then asked again once).
    private var asked = Set<IPAddress>()
    private let askedLimit = 65_536
    /// Lookups waiting at most: past this a burst of new addresses is not queued (they stay unnamed).
    private let queueLimit = 4_096
    private let lookup: (IPAddress) -> String?

    /// `lookup` answers one address (tests give a table); by default getnameinfo with NI_NAMEREQD.
    public init(lookup: @escaping (IPAddress) -> String? = ReverseResolver.systemName) {
        self.lookup = lookup
        Thread.detachNewThread { [self] in run() }
    }

    deinit { stop() }

    public func stop() {
        stopping.store(true, ordering: .relaxed)
        wake.signal()
    }

    /// Asks for `address` (on the capture thread): once per address, never waiting.
    public func ask(_ address: IPAddress, at time: Timestamp) {
        guard asked.insert(address).inserted else { return }
        if asked.count > askedLimit { asked = [address] }
        let queued = waiting.withLock { queue -> Bool in
            guard queue.count < queueLimit else { return false }
            queue.append((address, time))
            return true
        }
        if queued { wake.signal() } else { asked.remove(address) }
    }

    /// Names found since the last call.
    public func takeAnswers() -> [Answer] {
        answers.withLock { found in
            var taken: [Answer] = []
            swap(&taken, &found)
            return taken
        }
    }

    private func run() {
        while !stopping.load(ordering: .relaxed) {
            wake.wait()
            while let (address, time) = waiting.withLock({ $0.isEmpty ? nil : $0.removeFirst() }),
                  !stopping.load(ordering: .relaxed) {
                guard let name = lookup(address), !name.isEmpty, name != "\(address)" else { continue }
                answers.withLock { $0.append(Answer(address: address, name: name, askedAt: time)) }
            }
        }
    }

    /// The name getnameinfo gives `address`, nil when it has none (NI_NAMEREQD: no numeric fallback).
    public static func systemName(_ address: IPAddress) -> String? {
        let text = "\(address)"
        if address.isIPv4 {
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            guard inet_pton(AF_INET, text, &socketAddress.sin_addr) == 1 else { return nil }
            return name(of: socketAddress)
        }
        var socketAddress = sockaddr_in6()
        socketAddress.sin6_family = sa_family_t(AF_INET6)
        guard inet_pton(AF_INET6, text, &socketAddress.sin6_addr) == 1 else { return nil }
        return name(of: socketAddress)
    }

    /// getnameinfo of a filled sockaddr_in or sockaddr_in6.
    private static func name<Address>(of socketAddress: Address) -> String? {
        var socketAddress = socketAddress
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let status = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, socklen_t(MemoryLayout<Address>.size), &host, socklen_t(host.count), nil, 0, NI_NAMEREQD)
            }
        }
        guard status == 0 else { return nil }
        return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
