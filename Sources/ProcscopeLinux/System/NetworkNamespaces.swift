import Foundation
import Glibc
import ProcscopeCore
import Synchronization

/// The host's other network namespaces (containers, `ip netns`), found from /proc/*/ns/net and the names
/// `ip netns` mounts under /run/netns (a namespace with no process in it yet), with the addresses of their
/// interfaces (getifaddrs inside each): how traffic captured on the host side of a veth
/// is tied to a namespace, and from there to the process inside that sent it.
///
/// The capture thread calls `namespace(of:)` (from memory) and `refresh` (at most every few seconds), which
/// adopts the last reading and starts the next one on a thread of its own: one reading visits every process
/// (readlink of /proc/PID/ns/net) and enters every namespace, ~0.1-0.4 s on a host of 2,000-3,000 processes,
/// which the capture thread must never wait for. The attribution worker calls `member(_:)` to create its
/// sock_diag socket inside a namespace. Loopback and
/// link-local addresses, and any address two namespaces share, are left out: they cannot say which one.
public final class NetworkNamespaces: NamespaceDirectory, @unchecked Sendable {
    /// A namespace and a path through which it can be entered.
    public struct Member: Sendable, Equatable {
        public var inode: UInt64
        public var path: String
    }

    private let proc: ProcFileSystem
    private let own: UInt64
    // Capture-thread state.
    /// Asked per frame with an endpoint not local here: an `AddressTable`, not a `Dictionary` (it says why).
    private var addresses = AddressTable<UInt16>()
    /// Namespace indices by inode: touched only by the one reading under way (`reading`).
    private var indices: [UInt64: UInt16] = [:]
    private let reading = Atomic<Bool>(false)
    /// A reading finished off the capture thread, waiting to be adopted.
    private let finished = Mutex<AddressTable<UInt16>?>(nil)
    private var refreshedAt = Timestamp.zero
    /// Addresses asked about and not found since the last reading: a new namespace is read sooner.
    private var misses = 0
    // Shared with the worker (read once per new flow in another namespace) and the close feeds.
    private let members = Mutex<[UInt16: Member]>([:])
    /// Counts readings whose namespaces differed from the one before (`members`): a holder of a socket per
    /// namespace looks again only when it moved.
    private let membersGeneration = Atomic<Int>(0)

    public init(proc: ProcFileSystem = ProcFileSystem()) {
        self.proc = proc
        own = proc.readLink("\(proc.root)/self/ns/net").flatMap(ProcessIdentityReader.parseNamespaceInode) ?? 0
    }

    public func namespace(of address: IPAddress) -> UInt16? {
        // Per packet with a remote endpoint (an empty table answers without hashing).
        if let index = addresses[address] { return index }
        misses &+= 1
        return nil
    }

    /// The namespace with this index, for the worker; nil once the last reading no longer found it.
    public func member(_ index: UInt16) -> Member? {
        members.withLock { $0[index] }
    }

    /// Every namespace the last reading found, by index.
    public var allMembers: [UInt16: Member] { members.withLock { $0 } }

    /// Changes whenever the set of namespaces does: compare it to the one seen last before asking for
    /// `allMembers`.
    public var generation: Int { membersGeneration.load(ordering: .acquiring) }

    /// Reads the namespaces and their addresses now, on the calling thread (before the capture starts).
    public func readNow() {
        guard !reading.exchange(true, ordering: .acquiring) else { return }
        addresses = read()
        refreshedAt = wallClockNow()
        reading.store(false, ordering: .releasing)
    }

    /// Adopts a reading finished in the background, and starts another when the last one is older than
    /// `interval` microseconds, or 1 s after frames were seen whose addresses no namespace had (a new
    /// container, or just the Internet).
    public func refresh(now: Timestamp, interval: Int64 = 5_000_000) {
        if let fresh = finished.withLock({ slot -> AddressTable<UInt16>? in defer { slot = nil }; return slot }) {
            addresses = fresh
        }
        let age = now.microseconds(since: refreshedAt)
        guard age >= interval || (misses > 0 && age >= 1_000_000) else { return }
        guard !reading.exchange(true, ordering: .acquiring) else { return }
        refreshedAt = now
        misses = 0
        Thread.detachNewThread { [self] in
            let fresh = read()
            finished.withLock { $0 = fresh }
            reading.store(false, ordering: .releasing)
        }
    }

    /// One reading: every namespace some process is in or `ip netns` named, and its addresses.
    private func read() -> AddressTable<UInt16> {
        var paths: [UInt64: String] = [:]
        for pid in proc.processIDs() {
            guard let inode = proc.readLink("\(proc.root)/\(pid)/ns/net").flatMap(ProcessIdentityReader.parseNamespaceInode),
                  inode != own, paths[inode] == nil else { continue }
            paths[inode] = "\(proc.root)/\(pid)/ns/net"
        }
        for name in Self.namedNamespaces() {
            var status = stat()
            let path = "/run/netns/\(name)"
            guard stat(path, &status) == 0, UInt64(status.st_ino) != own, paths[UInt64(status.st_ino)] == nil else { continue }
            paths[UInt64(status.st_ino)] = path
        }
        var owners: [IPAddress: UInt16] = [:]
        var shared = Set<IPAddress>()
        var found: [UInt16: Member] = [:]
        for (inode, path) in paths {
            let index = indices[inode] ?? {
                let next = UInt16(clamping: indices.count + 1)
                indices[inode] = next
                return next
            }()
            let member = Member(inode: inode, path: path)
            found[index] = member
            guard let local = try? NetworkNamespace(path: member.path).run({ try LocalAddresses.current() }) else { continue }
            for address in local.all where !address.isLoopback && !address.isLinkLocal {
                if owners.updateValue(index, forKey: address) != nil { shared.insert(address) }
            }
        }
        for address in shared { owners.removeValue(forKey: address) }
        // Replaced, not merged: a socket made inside a namespace keeps it alive, so whatever holds one per
        // namespace lets go of a vanished container's when it leaves this table (`SocketCloseFeed`,
        // `KernelSocketTables`).
        let changed = members.withLock { known in
            defer { known = found }
            return known.mapValues(\.inode) != found.mapValues(\.inode)
        }
        if changed { membersGeneration.add(1, ordering: .releasing) }
        return AddressTable(owners.map { ($0.key, $0.value) })
    }
}

extension NetworkNamespaces {
    /// The names `ip netns add` created (bind mounts under /run/netns).
    static func namedNamespaces() -> [String] {
        guard let directory = opendir("/run/netns") else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
