import ProcscopeCore

/// Whether events (frames) arrive often, judged over windows of `windowMicros`, with hysteresis: it becomes
/// busy when a window's rate exceeds `above` a second, and calm again only when one falls below `below`,
/// so a rate near one bound does not flip the answer every window.
struct BusyRate {
    let above: Int
    let below: Int
    let windowMicros: Int64
    private(set) var isBusy = false
    private var windowStart: Timestamp?
    private var windowCount = 0

    init(above: Int, below: Int, windowMicros: Int64 = 100_000) {
        precondition(below <= above, "a calm rate above the busy one would flip every window")
        self.above = above
        self.below = below
        self.windowMicros = windowMicros
    }

    /// Counts `count` events at `now`; returns whether the rate is busy, as decided at the last window's end.
    mutating func note(_ count: Int, at now: Timestamp) -> Bool {
        guard let start = windowStart else {
            windowStart = now
            windowCount = count
            return isBusy
        }
        windowCount += count
        let elapsed = now.microseconds(since: start)
        guard elapsed >= windowMicros else { return isBusy }
        let rate = Int64(windowCount) * 1_000_000 / elapsed
        isBusy = isBusy ? rate >= below : rate > above
        windowStart = now
        windowCount = 0
        return isBusy
    }
}
