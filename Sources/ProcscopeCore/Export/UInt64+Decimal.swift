extension UInt64 {
    /// Appends the decimal digits to `bytes` without an intermediate String or array (the JSON and
    /// timestamp writers call it per number).
    @inlinable func appendDecimal<Sink: ByteSink>(to bytes: inout Sink, minimumDigits: Int = 1) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var at = 20
            var rest = self
            repeat {
                at -= 1
                digits[at] = UInt8(truncatingIfNeeded: 48 &+ rest % 10)
                rest /= 10
            } while rest > 0 || 20 - at < minimumDigits
            bytes.append(bytes: UnsafeBufferPointer(rebasing: digits[at...]))
        }
    }
}
