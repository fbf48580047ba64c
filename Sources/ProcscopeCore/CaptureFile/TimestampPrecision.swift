/// How finely a live capture stamps its frames and `-w` writes them (tcpdump's `--time-stamp-precision`,
/// `--nano`). procscope counts in microseconds throughout; with `nano` the nanoseconds past each frame's
/// microsecond travel beside it (`PacketRecord.subMicroseconds`) to the pcapng file, whose interface then says
/// `if_tsresol` 9, and to audit's lines.
public enum TimestampPrecision: String, CaseIterable, Sendable {
    case micro
    case nano

    /// pcapng's `if_tsresol` for it: a power of ten.
    var tsresol: UInt8 { self == .nano ? 9 : 6 }

    /// Ticks of this precision for a microsecond time and the nanoseconds past it (pcapng's 64-bit stamps).
    func ticks(_ time: Timestamp, subMicroseconds: UInt16) -> UInt64 {
        let micros = UInt64(bitPattern: time.microseconds)
        return self == .nano ? micros &* 1000 &+ UInt64(min(subMicroseconds, 999)) : micros
    }
}
