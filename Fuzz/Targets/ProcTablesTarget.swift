/// Text as /proc gives it: the socket tables (tcp, udp, raw, icmp, packet), and a process's stat, status,
/// cmdline, cgroup and namespace link. Procfs is the kernel's, but a process names itself (comm, cmdline)
/// and those bytes are anything it likes.
enum ProcTablesTarget {
    static func run(_ input: UnsafeRawBufferPointer) {
        let text = String(decoding: input, as: UTF8.self)
        _ = ProcNetSocketTable.parse(text)
        _ = ProcNetPacketTable.parse(text)
        _ = ProcessIdentityReader.parseStat(text)
        _ = ProcessIdentityReader.parseUID(text)
        _ = ProcessIdentityReader.parseCommandLine(text)
        _ = ProcessIdentityReader.parseNamespaceInode(text)
        _ = ProcessIdentityReader.parseCgroup(text)
    }
}
