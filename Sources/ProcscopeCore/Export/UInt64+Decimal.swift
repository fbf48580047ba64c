extension UInt64 {
    /// Appends the decimal digits to `bytes`, at least `minimumDigits` of them (zeros in front), written
    /// straight into the sink: no intermediate String, array or copy (the JSON and timestamp writers call it
    /// some twenty times per conversation).
    @inlinable func appendDecimal<Sink: ByteSink>(to bytes: inout Sink, minimumDigits: Int = 1) {
        var digits = 1
        var power: UInt64 = 10
        while digits < 20 && self >= power {
            digits += 1
            power = power &* 10 // wraps past 10^19 only once `digits` is 20, when the loop ends
        }
        let width = Swift.max(digits, minimumDigits)
        bytes.append(count: width) { out in
            var rest = self
            var at = width
            while at > 0 {
                at -= 1
                out[at] = UInt8(truncatingIfNeeded: 48 &+ rest % 10)
                rest /= 10
            }
        }
    }
}
