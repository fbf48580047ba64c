import CProcscopeLinux
import Glibc

/// A loopback device hands every packet socket each frame twice: once as sent (outgoing), once as received.
/// libpcap throws the sent copy away, but only after the kernel has cloned the frame and copied it into the
/// ring, in the sending process's own system call; a loopback sender then pays twice the capture's kernel
/// work. procscope keeps the kernel from making that copy, so nothing it sees changes:
/// - on a loopback device itself, the socket ignores outgoing frames (PACKET_IGNORE_OUTGOING, Linux 4.20:
///   neither clone nor copy is made);
/// - on `any`, which needs the outgoing frames of every other device, the kernel filter rejects outgoing
///   frames on loopback devices ahead of the user's filter (the clone is still made, the copy is not).
///
/// Measured on loopback under a UDP flood (`Scripts/bench-live.sh`): the sender went from 0.84-0.99x to
/// 1.02-1.10x of its rate beside buffered tcpdump, which keeps both copies.
enum LoopbackSentCopies {
    /// Tells the packet socket `fd`, opened on `interface`, to ignore sent frames if that is a loopback device.
    /// A kernel older than 4.20 refuses the option; libpcap then drops the copies as it always did.
    static func ignore(onSocket fd: Int32, interface: String) {
        guard ps_interface_is_loopback(interface) == 1 else { return }
        _ = ps_packet_ignore_outgoing(fd)
    }

    /// The kernel filter for a capture on `any`: `filter` (nil: every frame) with the sent copies on the
    /// loopback devices `loopbacks` (interface indexes) rejected first.
    static func anyFilter(_ filter: String?, loopbacks: [UInt32]) -> String? {
        guard !loopbacks.isEmpty else { return filter }
        let devices = loopbacks.map { "ifindex \($0)" }.joined(separator: " or ")
        let dropped = "not ((\(devices)) and outbound)"
        guard let filter, !filter.isEmpty else { return dropped }
        return "\(dropped) and (\(filter))"
    }

    /// The indexes of this network namespace's loopback devices: its one loopback device, which the kernel
    /// always registers at index 1 (LOOPBACK_IFINDEX), asked by that index. Not every interface in turn: on a
    /// host with thousands of container veths that was a socket and an ioctl each, at start and at each
    /// switch between immediate and buffered capture.
    static func loopbackIndexes() -> [UInt32] {
        var name = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        guard if_indextoname(1, &name) != nil, ps_interface_is_loopback(name) == 1 else { return [] }
        return [1]
    }
}
