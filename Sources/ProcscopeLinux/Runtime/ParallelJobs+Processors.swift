import Dispatch
import Glibc
import ProcscopeCore

extension ParallelJobs {
    /// A lane per online processor, at most 8 (each lane holds about 0.5 MB of rendered text), on libdispatch's
    /// threads; nil on one processor, where the jobs would only take turns.
    public static let processors: ParallelJobs? = {
        let online = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        guard online > 1 else { return nil }
        return ParallelJobs(width: min(online, 8)) { count, job in
            DispatchQueue.concurrentPerform(iterations: count, execute: job)
        }
    }()
}
