/// Warnings: told to the user as they happen and kept for the report.
extension CaptureSession {
    /// Tells the user (`warn`) and keeps the first warning of each kind for the report's `capture.warnings`.
    public func say(_ kind: String, _ message: String) {
        note(CaptureWarning(kind: kind, message: message))
        warn?(message)
    }

    /// `say`, the first time only: for conditions that may recur on every frame. The message is made only then.
    func sayOnce(_ kind: String, _ message: () -> String) {
        guard !warnings.contains(where: { $0.kind == kind }) else { return }
        say(kind, message())
    }

    /// Keeps a warning for the report without printing it (one the caller printed already).
    public func note(_ warning: CaptureWarning) {
        if !warnings.contains(where: { $0.kind == warning.kind }) { warnings.append(warning) }
    }
}

extension CaptureSession {
    /// Sets how many live conversations the flow table holds (`--max-flows`); past it, new flows are counted
    /// under `flow-table-full` and said so.
    public func limitLiveConversations(to count: Int) {
        configuration.maxLiveConversations = count
    }
}
