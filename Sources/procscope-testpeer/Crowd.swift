import Glibc

/// `crowd PROCESSES SOCKETS SECONDS`: the background of a busy server. Forks PROCESSES idle children that
/// each hold SOCKETS inet sockets (alternately TCP and UDP, unbound, so no port is used up) and sleep, which
/// is what makes a host-wide /proc/PID/fd search slow: 3,000 x 50 is 150,000 descriptors to read.
/// Prints `ready pid=P port=0` once every child holds its sockets, then `child pid=C` per child; ends
/// its children (by PID) on SIGTERM, SIGINT or after SECONDS. Children also leave when the parent is gone:
/// they block reading a pipe only the parent writes to, which reads end-of-file once it has exited.
func crowd(processes: Int, sockets: Int, seconds: Double) -> Never {
    var readiness: [Int32] = [0, 0]
    var lifeline: [Int32] = [0, 0]
    guard pipe(&readiness) == 0, pipe(&lifeline) == 0 else { fail("pipe") }
    var children: [pid_t] = []
    for _ in 0..<processes {
        let child = fork()
        if child < 0 { fail("fork") }
        if child == 0 {
            close(readiness[0])
            close(lifeline[1])
            for index in 0..<sockets {
                let type = index % 2 == 0 ? SOCK_STREAM : SOCK_DGRAM
                if socket(AF_INET, Int32(type.rawValue), 0) < 0 { fail("socket") }
            }
            var one: UInt8 = 1
            _ = write(readiness[1], &one, 1)
            close(readiness[1])
            var nothing: UInt8 = 0
            while read(lifeline[0], &nothing, 1) < 0 && errno == EINTR {}
            exit(0)
        }
        children.append(child)
    }
    close(readiness[1])
    close(lifeline[0])
    var readyCount = 0
    var byte: UInt8 = 0
    while readyCount < processes && read(readiness[0], &byte, 1) == 1 { readyCount += 1 }
    ready(port: 0)
    var listing = ""
    for child in children { listing += "child pid=\(child)\n" }
    _ = listing.withCString { write(1, $0, strlen($0)) }
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGTERM)
    sigaddset(&signals, SIGINT)
    sigprocmask(SIG_BLOCK, &signals, nil)
    var timeout = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
    _ = sigtimedwait(&signals, nil, &timeout)
    for child in children { kill(child, SIGKILL) }
    var status: Int32 = 0
    for child in children { waitpid(child, &status, 0) }
    exit(0)
}
