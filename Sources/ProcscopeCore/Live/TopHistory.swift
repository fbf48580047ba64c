/// The last minute of each row's rate in `procscope top`, one sample per snapshot, for the selected row's
/// sparkline. Rows not seen for as many snapshots as are kept are forgotten: memory follows what is shown.
public struct TopHistory: Sendable {
    /// Samples kept per row (a minute at the default interval of 1 s).
    public let capacity: Int
    private var samples: [String: [Double]] = [:]
    private var lastSeen: [String: Int] = [:]
    private var snapshot = 0

    public init(capacity: Int = 60) {
        self.capacity = max(2, capacity)
    }

    /// Adds one snapshot's rates (bytes per second, by row id).
    public mutating func record(_ rates: [String: Double]) {
        snapshot += 1
        for (id, rate) in rates {
            samples[id, default: []].append(rate)
            if samples[id]!.count > capacity { samples[id]!.removeFirst(samples[id]!.count - capacity) }
            lastSeen[id] = snapshot
        }
        for (id, seen) in lastSeen where snapshot - seen >= capacity {
            samples.removeValue(forKey: id)
            lastSeen.removeValue(forKey: id)
        }
    }

    /// The row's rates, oldest first.
    public func rates(of id: String) -> [Double] { samples[id] ?? [] }

    /// Rows remembered (for tests of the bound).
    public var rowCount: Int { samples.count }

    /// The rates as a line of ASCII levels, `width` characters at most (the latest last), scaled to their own
    /// peak: ASCII, so that any terminal and locale draws it.
    public static func sparkline(_ rates: [Double], width: Int) -> String {
        let levels = Array(" .:-=+*#%@")
        let shown = rates.suffix(max(0, width))
        let peak = shown.max() ?? 0
        guard peak > 0 else { return String(repeating: levels[0], count: shown.count) }
        return String(shown.map { rate in
            rate <= 0 ? levels[0] : levels[min(levels.count - 1, max(1, Int((rate / peak * Double(levels.count - 1)).rounded())))]
        })
    }
}
