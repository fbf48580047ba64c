import ArgumentParser
import ProcscopeCore

/// `--pid`, `--comm`, `--user`, `--netns`, `--container`, `--unit`, `--unknown-only`: shared by every command that
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

    @Option(name: .long, help: ArgumentHelp("Keep only processes of this container: its name, the start of its id, or a part of its cgroup path (repeatable).", valueName: "name|id"))
    var container: [String] = []

    @Option(name: .long, help: ArgumentHelp("Keep only processes of this systemd unit (nginx.service, or nginx; repeatable).", valueName: "unit"))
    var unit: [String] = []

    @Flag(name: .long, help: "Keep only traffic that could not be attributed.")
    var unknownOnly = false

    var filter: OwnerFilter {
        OwnerFilter(pids: pid, names: comm, users: user, namespaces: netns, containers: container, units: unit,
                    unknownOnly: unknownOnly)
    }

    func validate() throws {
        if unknownOnly && !(pid.isEmpty && comm.isEmpty && user.isEmpty && netns.isEmpty && container.isEmpty && unit.isEmpty) {
            throw ValidationError("--unknown-only keeps traffic without an owner: it cannot be combined with owner filters.")
        }
    }
}
