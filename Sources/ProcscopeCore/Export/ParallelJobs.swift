/// Independent jobs run at once, on as many threads as `width`: given by the Linux layer (the core starts no
/// threads). What the core hands it only reads values no one changes while the jobs run (a finished
/// session's table, as a report's JSON is rendered), so the jobs need no locks.
public struct ParallelJobs: Sendable {
    /// How many jobs run at once.
    public let width: Int
    /// Runs jobs 0..<count and returns when every one has finished.
    public let run: @Sendable (_ count: Int, _ job: @Sendable (Int) -> Void) -> Void

    public init(width: Int, run: @escaping @Sendable (_ count: Int, _ job: @Sendable (Int) -> Void) -> Void) {
        self.width = width
        self.run = run
    }
}
