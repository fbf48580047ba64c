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

/// procscope's eBPF first-send recorder (C edge: `first_send_recorder.c`), attached at cgroup_skb egress of
/// the cgroup v2 root through a BPF link (detached when procscope exits, however it exits).
///
/// A refused connect() leaves the kernel's tables with its RST, before procscope can look its tuple up, and a
/// pinger that exits at once takes its ping socket along; neither sends a destroy event with a usable tuple.
/// For a TCP SYN (without ACK) and an ICMP or ICMPv6 echo request, the hook writes the sending socket's cookie,
/// the time and the sending task under the packet's namespace and tuple; the cookie then leads to the
/// socket's creation and release records (`SocketReleaseRecorder`). Every other packet costs a few
/// instructions and writes nothing; a socket's later packets on the same tuple write nothing either.
public final class FirstSendRecorder {
    private let map: Int32
    /// Program and link, closed in `deinit` (closing the link detaches the program).
    private var descriptors: [Int32] = []
    /// Whether records carry the sender's network namespace cookie (cgroup_skb programs may call
    /// bpf_get_netns_cookie only on recent kernels); without it, namespaces are told apart afterwards.
    let keyedByNamespace: Bool
    /// Whether records carry the sending task.
    let recordsSender: Bool

    public convenience init() throws {
        guard let root = CgroupHierarchy.hookRoot() else { throw KernelHookError.noCgroupV2 }
        try self.init(cgroupRoot: root)
    }

    init(cgroupRoot root: String) throws {
        let map = ps_first_send_map_create(1 << 15)
        self.map = map
        guard map >= 0 else { throw KernelHookError.kernel(step: "bpf(BPF_MAP_CREATE)", errno: errno, log: "") }
        descriptors = [map]
        // The richest program this kernel's verifier accepts: helpers cgroup_skb may call vary by release.
        var loaded: (program: Int32, netns: Bool, sender: Bool)?
        var firstError: Error?
        for (netns, sender) in [(true, true), (false, true), (true, false), (false, false)] {
            do {
                let program = try KernelHookError.loadProgram(hook: "cgroup_skb/egress") {
                    ps_first_send_program_load(map, netns ? 1 : 0, sender ? 1 : 0, $0, $1)
                }
                loaded = (program, netns, sender)
                break
            } catch {
                firstError = firstError ?? error
            }
        }
        guard let loaded else {
            close(map)
            throw firstError ?? KernelHookError.kernel(step: "bpf(BPF_PROG_LOAD)", errno: EINVAL, log: "")
        }
        descriptors.append(loaded.program)
        keyedByNamespace = loaded.netns
        recordsSender = loaded.sender
        do {
            descriptors.append(try KernelHookError.attach(loaded.program, to: root, at: PS_HOOK_EGRESS,
                                                          named: "cgroup_skb/egress"))
        } catch {
            // Emptied as well as closed: whether or not deinit runs for an initializer that throws this late.
            for descriptor in descriptors { close(descriptor) }
            descriptors = []
            throw error
        }
    }

    deinit {
        for descriptor in descriptors.reversed() { close(descriptor) }
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
        guard ps_first_send_lookup(map, &record, &value) == 0 else { return nil }
        return FirstSend(cookie: value.cookie, sentAt: Timestamp(monotonicNanoseconds: value.sent_ns),
                         sender: recordsSender && value.tgid != 0 ? Int32(bitPattern: value.tgid) : nil)
    }
}
