import CProcscopeLinux
import Glibc
import ProcscopeCore

/// `-Z USER`: once its handles are open and the first pass over /proc is done, the capture carries on as
/// USER, each thread keeping only what its own work needs: the capture thread cap_net_raw (to reopen the
/// interface when delivery switches between immediate and buffered), the attribution thread cap_sys_ptrace
/// and cap_dac_read_search (reading other users' descriptor tables and exe links under /proc, nothing else),
/// every other thread nothing (`CProcscopeLinux/privileges.c` says how). What needs no privilege once opened
/// goes on: the capture handle, the netlink sockets (sock_diag, process, socket-close, address and conntrack
/// events), the eBPF socket records. What stops is said once (`consequences`) and kept in the report's
/// warnings.
public struct PrivilegeDrop: Sendable {
    public let user: String
    public let uid: uid_t
    public let gid: gid_t

    /// What the capture thread keeps.
    static let captureCapabilities = UInt64(1) << UInt64(CAP_NET_RAW)
    /// What the attribution thread keeps.
    static let attributionCapabilities = UInt64(1) << UInt64(CAP_SYS_PTRACE) | UInt64(1) << UInt64(CAP_DAC_READ_SEARCH)

    /// Looks `user` up (a name, as tcpdump takes it, or a numeric uid).
    public init(user: String) throws(PrivilegeDropError) {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        let status = getpwnam_r(user, &entry, &buffer, buffer.count, &result)
        if status == 0, result != nil {
            self.user = user
            uid = entry.pw_uid
            gid = entry.pw_gid
            return
        }
        if let number = UInt32(user), getpwuid_r(number, &entry, &buffer, buffer.count, &result) == 0, result != nil {
            self.user = String(cString: entry.pw_name)
            uid = entry.pw_uid
            gid = entry.pw_gid
            return
        }
        throw .noSuchUser(user)
    }

    /// Whether this process may become another user (root, or cap_setuid with cap_setgid): checked before the
    /// capture starts, so that a -Z that cannot be honoured stops nothing already captured.
    public func checkPermitted() throws(PrivilegeDropError) {
        guard ps_can_switch_user() == 1 else { throw .notPermitted(user) }
    }

    /// Becomes `user` in every thread, the calling thread keeping `keep` (of what it has). Threads that keep
    /// something else must have set KEEPCAPS before (`AttributionWorker.whilePaused`) and narrow after.
    func perform(keeping keep: UInt64) throws(PrivilegeDropError) {
        guard ps_keep_capabilities_across_user_change(1) == 0 else {
            throw .failed(user: user, step: .keepingCapabilities, errno: errno)
        }
        let step = ps_switch_user(user, uid, gid)
        guard step == 0 else {
            let error = errno
            _ = ps_keep_capabilities_across_user_change(0)
            throw .failed(user: user, step: Step(rawValue: step) ?? .settingUserID, errno: error)
        }
        guard ps_narrow_capabilities(keep) == 0 else { throw .failed(user: user, step: .narrowingCapabilities, errno: errno) }
    }

    /// Said once on stderr and kept as the `privileges-dropped` warning.
    public var consequences: String {
        "running as \(user) from now on (-Z), keeping only cap_net_raw for the capture and read access to /proc for "
            + "attribution: network namespaces created from now on are not entered, and files started by -C, -G or "
            + "SIGHUP are created as \(user)"
    }

    /// The step of the switch that failed.
    public enum Step: Int32, Sendable {
        case settingGroups = 1, settingGroupID, settingUserID, regainedRoot
        case keepingCapabilities = 100, narrowingCapabilities

        var words: String {
            switch self {
            case .keepingCapabilities: return "keeping capabilities across the switch"
            case .settingGroups: return "setting the user's groups"
            case .settingGroupID: return "setting the group id"
            case .settingUserID: return "setting the user id"
            case .regainedRoot: return "checking that root cannot be regained (it could)"
            case .narrowingCapabilities: return "narrowing its capabilities"
            }
        }
    }
}

/// Why `-Z USER` cannot be honoured, in words the user can act on.
public enum PrivilegeDropError: Error, CustomStringConvertible, Equatable {
    case noSuchUser(String)
    case notPermitted(String)
    case failed(user: String, step: PrivilegeDrop.Step, errno: Int32)
    /// A file the capture creates after the switch would be in a directory the user cannot write.
    case cannotCreateFiles(user: String, what: String, directory: String)

    public var description: String {
        switch self {
        case .noSuchUser(let user):
            return "-Z: there is no user '\(TerminalSafe.text(user))' on this host (see getent passwd)"
        case .notPermitted(let user):
            return "-Z \(TerminalSafe.text(user)): only root, or a procscope with cap_setuid and cap_setgid, can become "
                + "another user; run it as root or leave out -Z"
        case .cannotCreateFiles(let user, let what, let directory):
            return "-Z \(TerminalSafe.text(user)): \(what) is created in \(TerminalSafe.text(directory)) after procscope has become "
                + "that user, who cannot create files there; choose a directory \(TerminalSafe.text(user)) can write, or leave out -Z"
        case .failed(let user, let step, let errno):
            return "-Z \(TerminalSafe.text(user)): could not become that user (\(step.words): "
                + "\(String(cString: strerror(errno)))); the capture stopped, and what it had captured is written"
        }
    }
}

extension PrivilegeDrop {
    /// Whether the user may create files in `directory` (write and search permission, by owner, group or
    /// others, with the user's groups): what a `--json` document (written through a temporary file beside
    /// it) and files rotated by -C or -G need after the switch. Checked before the capture starts.
    public func mayCreateFiles(in directory: String) -> Bool {
        var status = stat()
        guard stat(directory.isEmpty ? "." : directory, &status) == 0 else { return false }
        if uid == 0 { return true }
        let needed: mode_t = 0o3 // write and search
        if status.st_uid == uid { return (status.st_mode >> 6) & needed == needed }
        if groups.contains(status.st_gid) { return (status.st_mode >> 3) & needed == needed }
        return status.st_mode & needed == needed
    }

    /// The user's primary and supplementary groups.
    var groups: [gid_t] {
        var count: Int32 = 64
        var list = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(user, gid, &list, &count) < 0 {
            list = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(user, gid, &list, &count) >= 0 else { return [gid] }
        }
        return Array(list.prefix(Int(count)))
    }
}
