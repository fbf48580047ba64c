import CProcscopeLinux
import Glibc

/// SIGINT, SIGTERM and SIGHUP as a pollable descriptor (signalfd), so the capture loop notices them between
/// batches: a stop writes everything it has; a hang-up reopens the output files when a command has some
/// (`onHangup`, for logrotate), and stops the capture otherwise (the terminal went away). Create it on the main thread before starting other threads:
/// they inherit the blocked mask, so the signal is only ever delivered here.
public final class SignalWatcher {
    public let descriptor: Int32
    public private(set) var received: Int32?
    /// Called on SIGHUP from the capture loop's thread, between batches (outputs reopen their files). Unset,
    /// SIGHUP stops the capture as SIGTERM does.
    public var onHangup: (() -> Void)?

    public init() throws {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
        descriptor = try retryingSystemCall("signalfd") { signalfd(-1, &set, Int32(SFD_NONBLOCK | SFD_CLOEXEC)) }
    }

    deinit { close(descriptor) }

    /// True once a stop signal has arrived; a hang-up that `onHangup` takes is handled here and is not one.
    public func check() -> Bool {
        var info = signalfd_siginfo()
        while read(descriptor, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            let signal = Int32(info.ssi_signo)
            if signal == SIGHUP, let onHangup {
                onHangup()
                continue
            }
            received = signal
        }
        return received != nil
    }
}
