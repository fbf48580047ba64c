import Glibc

/// Scheduling priority for procscope's own threads. A client that connects, sends and exits at once leaves
/// ~0.2 ms between its first packet and its exit; on a busy machine an ordinary thread can wait longer than
/// that just to be scheduled. Both procscope threads block in poll when idle; SCHED_FIFO at the lowest
/// real-time priority makes their wake-up immediate. The kernel's RT throttling (sched_rt_runtime_us) still
/// leaves the rest of the system its share if a flood keeps the capture loop busy.
enum RealtimePriority {
    /// Moves the calling thread to SCHED_FIFO priority 1; silently stays as it is without CAP_SYS_NICE.
    @discardableResult
    static func raiseCurrentThread() -> Bool {
        var parameters = sched_param(sched_priority: 1)
        return pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameters) == 0
    }
}
