/// A process birth or death from the proc connector (linux/cn_proc.h), parsed from the bytes of one
/// NETLINK_CONNECTOR message.
public enum ProcessEvent: Equatable, Sendable {
    case fork(parent: Int32, child: Int32)
    case exec(pid: Int32)
    case exit(pid: Int32)

    static let forkWhat: UInt32 = 0x0000_0001
    static let execWhat: UInt32 = 0x0000_0002
    static let exitWhat: UInt32 = 0x8000_0000

    /// Parses one message: `eventOffset` is where `struct proc_event` starts (after nlmsghdr and cn_msg),
    /// `dataOffset` where its `event_data` union starts. Only thread-group leaders (processes) are reported.
    public static func parse(_ message: UnsafeRawBufferPointer, eventOffset: Int, dataOffset: Int) -> ProcessEvent? {
        let data = eventOffset + dataOffset
        guard message.count >= data + 16 else { return nil }
        let what = message.loadUnaligned(fromByteOffset: eventOffset, as: UInt32.self)
        let first = message.loadUnaligned(fromByteOffset: data, as: Int32.self)
        let firstGroup = message.loadUnaligned(fromByteOffset: data + 4, as: Int32.self)
        switch what {
        case forkWhat:
            // parent_pid, parent_tgid, child_pid, child_tgid
            let child = message.loadUnaligned(fromByteOffset: data + 8, as: Int32.self)
            let childGroup = message.loadUnaligned(fromByteOffset: data + 12, as: Int32.self)
            return child == childGroup ? .fork(parent: firstGroup, child: child) : nil
        case execWhat:
            return first == firstGroup ? .exec(pid: first) : nil
        case exitWhat:
            return first == firstGroup ? .exit(pid: first) : nil
        default:
            return nil
        }
    }
}
