/// Human-readable byte counts in binary units, as nethogs and bandwhich show them ("1.5 KiB").
public enum ByteCountFormat {
    public static func string(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        return "\(oneDecimal(value)) \(units[unit])"
    }

    /// A number with one decimal place (`12.3`), without Foundation.
    public static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
