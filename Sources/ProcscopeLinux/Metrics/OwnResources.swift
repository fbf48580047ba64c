import Glibc
import ProcscopeCore

/// procscope's own resident memory, CPU time and start time, for the standard `process_` metrics every
/// Prometheus client library exports (so a dashboard shows what the capture itself costs).
public enum OwnResources {
    public static func fill(_ snapshot: inout MetricsSnapshot, proc: ProcFileSystem = ProcFileSystem()) {
        if let statm = proc.readText("\(proc.root)/self/statm"),
           let pages = statm.split(separator: " ").dropFirst().first.flatMap({ UInt64($0) }) {
            snapshot.residentBytes = pages * UInt64(max(1, sysconf(Int32(_SC_PAGESIZE))))
        }
        var usage = rusage()
        if getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 {
            let micros = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000
                + Int(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
            snapshot.cpuSeconds = Double(micros) / 1_000_000
        }
        snapshot.startTimeSeconds = startTime
    }

    /// Read once: it does not change.
    private static let startTime: Double? = {
        let reader = ProcessIdentityReader(proc: ProcFileSystem(), userNames: { _ in nil })
        return reader.startTicks(of: getpid()).map { Double(reader.startTime(ticks: $0).microseconds) / 1_000_000 }
    }()
}
