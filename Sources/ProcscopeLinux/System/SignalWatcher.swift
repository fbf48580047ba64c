import CProcscopeLinux
import Glibc

/// SIGINT, SIGTERM and SIGHUP as a pollable descriptor (signalfd), so the capture loop notices them between
/// batches and then writes everything it has. Create it on the main thread before starting other threads:
/// they inherit the blocked mask, so the signal is only ever delivered here.
public final class SignalWatcher {
    public let descriptor: Int32
    public private(set) var received: Int32?

    public init() throws {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
        descriptor = try retryingSystemCall("signalfd") { signalfd(-1, &set, Int32(SFD_NONBLOCK | SFD_CLOEXEC)) }
    }

    deinit { close(descriptor) }

    /// True once a stop signal has arrived.
    public func check() -> Bool {
        var info = signalfd_siginfo()
        while read(descriptor, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            received = Int32(info.ssi_signo)
        }
        return received != nil
    }
}
