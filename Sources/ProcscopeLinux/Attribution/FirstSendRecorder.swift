import CProcscopeLinux
import Glibc
import ProcscopeCore

/// The socket that sent a flow's first packet, as the kernel recorded it when the packet left.
struct FirstSend: Equatable {
    let cookie: UInt64
    /// When it was sent, on the wall clock.
    let sentAt: Timestamp
    /// The task that was sending (a socket's first send runs in its connect() or sendmsg()); nil where the
    /// kernel does not give cgroup_skb programs the current task.
    let sender: Int32?
}

/// procscope's eBPF first-send recorder (C: `CProcscopeLinux/bpf/first_send.bpf.c`), attached at cgroup_skb
/// egress of the cgroup v2 root through a BPF link (detached when procscope exits, however it exits).
///
/// A refused connect() leaves the kernel's tables with its RST, before procscope can look its tuple up, and a
/// pinger that exits at once takes its ping socket along; neither sends a destroy event with a usable tuple.
/// For a TCP SYN (without ACK) and an ICMP or ICMPv6 echo request, the hook writes the sending socket's cookie,
/// the time and the sending task under the packet's namespace and tuple; the cookie then leads to the
/// socket's creation and release records (`SocketReleaseRecorder`). Every other packet costs a few
/// instructions and writes nothing; a socket's later packets on the same tuple write nothing either.
public final class FirstSendRecorder {
    private let object: BPFObject
    private let map: Int32
    /// Whether records carry the sender's network namespace cookie (cgroup_skb programs may call
    /// bpf_get_netns_cookie only on recent kernels); without it, namespaces are told apart afterwards.
    let keyedByNamespace: Bool
    /// Whether records carry the sending task.
    let recordsSender: Bool

    /// The object's programs, richest first: the helpers a cgroup_skb program may call vary by release.
    private static let variants = [("first_send_netns_tgid", true, true), ("first_send_tgid", false, true),
                                   ("first_send_netns", true, false), ("first_send", false, false)]

    public convenience init() throws {
        guard let root = CgroupHierarchy.hookRoot() else { throw KernelHookError.noCgroupV2 }
        try self.init(cgroupRoot: root)
    }

    init(cgroupRoot root: String) throws {
        var size = 0
        let bytes = UnsafeRawBufferPointer(start: ps_bpf_object_first_send(&size), count: size)
        var loaded: (object: BPFObject, program: String, netns: Bool, sender: Bool)?
        var firstError: Error?
        for (program, netns, sender) in Self.variants {
            do {
                loaded = (try BPFObject(named: "first_send", bytes: bytes, programs: [program]), program, netns, sender)
                break
            } catch {
                firstError = firstError ?? error
            }
        }
        guard let loaded else {
            throw firstError ?? KernelHookError.kernel(step: "bpf(BPF_PROG_LOAD)", errno: EINVAL, log: "")
        }
        object = loaded.object
        keyedByNamespace = loaded.netns
        recordsSender = loaded.sender
        map = try object.map("first_sends")
        try object.attach(loaded.program, toCgroup: root)
    }

    /// The record of the packet that opened an outgoing flow, sent from `key.local` to `key.remote` (an echo's
    /// identifier as the local port) in the namespace whose cookie is `namespaceCookie`.
    func firstSend(of key: FlowKey, namespaceCookie: UInt64) -> FirstSend? {
        var record = ps_first_send_key()
        record.netns_cookie = keyedByNamespace ? namespaceCookie : 0
        record.version = key.local.address.isIPv4 ? 4 : 6
        record.proto = key.proto.rawValue
        record.local_port = key.local.port.bigEndian
        record.remote_port = key.proto == .tcp ? key.remote.port.bigEndian : 0
        withUnsafeMutableBytes(of: &record.local) { $0.copyBytes(from: key.local.address.kernelBytes) }
        withUnsafeMutableBytes(of: &record.remote) { $0.copyBytes(from: key.remote.address.kernelBytes) }
        var value = ps_first_send_value()
        guard BPFObject.lookup(map, &record, into: &value) else { return nil }
        return FirstSend(cookie: value.cookie, sentAt: Timestamp(monotonicNanoseconds: value.sent_ns),
                         sender: recordsSender && value.tgid != 0 ? Int32(bitPattern: value.tgid) : nil)
    }
}
