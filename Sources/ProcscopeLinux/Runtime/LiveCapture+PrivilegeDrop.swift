import ProcscopeCore

/// `-Z USER` in the capture loop (`PrivilegeDrop` says what each thread keeps and why).
extension LiveCapture {
    /// At most this long after the start, the switch is made however far the warm-up pass got.
    static let dropDeadlineMicros: Int64 = 5_000_000

    /// Makes the switch on the first turn after the warm-up pass over /proc has ended (or
    /// `dropDeadlineMicros` after the start), on the capture thread, with the attribution thread paused
    /// between two lookups; says it once. Throws when the switch fails: the capture then stops, keeping what
    /// it captured.
    func dropPrivilegesIfDue(now: Timestamp) throws(PrivilegeDropError) {
        guard let drop = privilegeDrop,
              worker.hasWarmedUp || now.microseconds(since: started) >= Self.dropDeadlineMicros else { return }
        privilegeDrop = nil
        try worker.whilePaused(keeping: PrivilegeDrop.attributionCapabilities) { () throws(PrivilegeDropError) in
            try drop.perform(keeping: PrivilegeDrop.captureCapabilities)
        }
        session.say("privileges-dropped", drop.consequences)
    }
}
