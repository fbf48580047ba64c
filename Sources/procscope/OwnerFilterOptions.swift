import ArgumentParser
import ProcscopeCore

/// `--pid`, `--comm`, `--user`, `--netns`, `--container`, `--unknown-only`: shared by every command that
/// prints traffic.
struct OwnerFilterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Keep only this process's traffic (repeatable).", valueName: "pid"))
    var pid: [Int32] = []

    @Option(name: .long, help: ArgumentHelp("Keep only processes with this name (comm; repeatable).", valueName: "name"))
    var comm: [String] = []

    @Option(name: .long, help: ArgumentHelp("Keep only processes of this user name or uid (repeatable).", valueName: "user"))
    var user: [String] = []

    @Option(name: .long, help: ArgumentHelp("Keep only processes in this network namespace (its inode; repeatable).", valueName: "inode"))
    var netns: [UInt64] = []

    @Option(name: .long, help: ArgumentHelp("Keep only processes whose cgroup path contains this (a container id; repeatable).", valueName: "id"))
    var container: [String] = []

    @Flag(name: .long, help: "Keep only traffic that could not be attributed.")
    var unknownOnly = false

    var filter: OwnerFilter {
        OwnerFilter(pids: pid, names: comm, users: user, namespaces: netns, containers: container, unknownOnly: unknownOnly)
    }

    func validate() throws {
        if unknownOnly && !(pid.isEmpty && comm.isEmpty && user.isEmpty && netns.isEmpty && container.isEmpty) {
            throw ValidationError("--unknown-only keeps traffic without an owner: it cannot be combined with owner filters.")
        }
    }
}
