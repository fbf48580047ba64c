/// The owner ptcpdump writes into a packet's first comment (`PID: 1234\nCmd: /usr/bin/curl\nArgs: ...`,
/// its `internal/writer/pcapng.go`; later comments carry the thread, user, parent, container and pod), as
/// audit lists owners: `pid/program`, the program being the command's last path component, defused.
public enum PtcpdumpComment {
    public static func owner(_ comment: String) -> String? {
        guard comment.hasPrefix("PID: ") else { return nil }
        var pid: Int32?
        var command: Substring?
        for line in comment.split(separator: "\n") {
            if line.hasPrefix("PID: ") { pid = Int32(line.dropFirst(5)) }
            if line.hasPrefix("Cmd: ") { command = line.dropFirst(5) }
        }
        guard let pid, pid > 0 else { return nil }
        let program = command.flatMap { $0.split(separator: "/").last }.map(String.init) ?? "?"
        return ConversationOwner.label(pid: pid, name: program)
    }
}
