/// The descriptors where each process's newest sockets were found (a few per process, for a bounded number of
/// processes).
///
/// The kernel gives a new socket the lowest free descriptor, so a process that opens connection after
/// connection (a client in a loop, a server accepting and closing) mostly gets a number it had before. One
/// readlink of that /proc/PID/fd entry then confirms a new socket of a known process, where reading its whole
/// descriptor table costs a directory read and a readlink per descriptor: under connection churn, those table
/// reads were about a tenth of procscope's samples (perf). A guess only ever confirms: a
/// readlink that names the socket is the same evidence a full read finds, and a miss falls back to it.
struct RecentSocketDescriptors {
    static let perProcess = 4, processes = 1024

    private var byProcess: [Int32: [Int32]] = [:]

    /// The descriptors to try first for `pid`, most recent first; for a process not seen holding a socket
    /// yet, the lowest ones after standard input, output and error, which a new program's first socket mostly
    /// gets. (Reading a new process's whole table, every /proc/PID/fd entry made for the first time, was 108 us
    /// of a short-lived client's 173 us lookup, measured on this machine; one readlink is about a tenth.)
    func guesses(for pid: Int32) -> [Int32] { byProcess[pid].map { $0.reversed() } ?? Self.firstSocketGuesses }

    static let firstSocketGuesses: [Int32] = [3, 4]

    /// `pid` held a socket it was asked about at `fd`.
    mutating func note(_ fd: Int32, of pid: Int32) {
        var fds = byProcess[pid] ?? []
        fds.removeAll { $0 == fd }
        fds.append(fd)
        if fds.count > Self.perProcess { fds.removeFirst() }
        // Bounded: past the limit, start over (the next lookups read whole tables once, and learn again).
        if byProcess[pid] == nil && byProcess.count >= Self.processes { byProcess.removeAll(keepingCapacity: true) }
        byProcess[pid] = fds
    }

    var count: Int { byProcess.count }
}
