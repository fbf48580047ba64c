/// Text as /proc gives it: the socket tables (tcp, udp, raw, icmp, packet), and a process's stat, status,
/// cmdline, cgroup (and the container and unit its path names) and namespace link. Procfs is the kernel's,
/// but a process names itself (comm, cmdline) and those bytes are anything it likes. Also the times people
/// type for `history` (RFC 3339): text from outside, parsed by hand.
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
        _ = CgroupWorkload(path: text)
        _ = Timestamp(rfc3339: text)
    }
}
