/// Writes JSON straight into a byte buffer: the export of 100k conversations is one pass, no tree.
/// Keys are written by the caller in sorted order (a contract: exports are byte-for-byte reproducible),
/// and `JSONWriterTests` checks the exporter's output for sortedness.
///
/// Made with a sink, it hands the buffer over whenever it passes `flushBytes`, between two values, so an
/// export of millions of conversations never holds more than that much text; the first error the sink
/// throws stops the writing and is rethrown by `finish`.
public struct JSONWriter {
    /// The text so far (since the last hand-over to the sink).
    public var bytes: [UInt8] { out.array }
    /// Shared by copies of a writer (a class): a writer is written through `inout`, never copied and used twice.
    private let out: ByteBuffer
    /// Whether the next value in the current container needs a comma before it.
    private var needsComma = false
    private var sink: (([UInt8]) throws -> Void)?
    private var flushBytes = Int.max
    private var failure: Error?

    public init(capacity: Int = 1 << 16) {
        out = ByteBuffer(capacity: capacity)
    }

    /// A writer that hands its text to `sink` in pieces of about `flushBytes`.
    public init(flushingEvery flushBytes: Int = 1 << 16, to sink: @escaping ([UInt8]) throws -> Void) {
        out = ByteBuffer(capacity: flushBytes + 4096)
        self.flushBytes = flushBytes
        self.sink = sink
    }

    /// Hands what is left to the sink; rethrows the sink's first error.
    public mutating func finish() throws {
        flush()
        if let failure { throw failure }
    }

    private mutating func flush() {
        guard let sink, out.count > 0 else { return }
        if failure == nil {
            do { try sink(out.array) } catch { failure = error }
        }
        out.removeAll()
    }

    /// Raw bytes outside any JSON value (the newline after a document).
    public mutating func raw(_ literal: StaticString) {
        append(literal)
    }

    public var text: String { String(decoding: out.array, as: UTF8.self) }

    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        container(open: "{", close: "}", body)
    }

    public mutating func array(_ body: (inout JSONWriter) -> Void) {
        container(open: "[", close: "]", body)
    }

    private mutating func container(open: Unicode.Scalar, close: Unicode.Scalar, _ body: (inout JSONWriter) -> Void) {
        separate()
        out.append(UInt8(ascii: open))
        needsComma = false
        body(&self)
        out.append(UInt8(ascii: close))
        needsComma = true
    }

    /// A member name; the value written next belongs to it.
    @inline(__always)
    public mutating func key(_ name: StaticString) {
        string(name)
        out.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A member name that is data (e.g. an unknown reason), escaped.
    public mutating func key(dynamic name: String) {
        string(name)
        out.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) {
        separate()
        out.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // Eight bytes at a time while none needs escaping, then byte by byte; runs that need no escaping
            // are copied in one go (most strings are a single run).
            var clean = 0
            while clean + 8 <= utf8.count,
                  !Self.needsEscape(UnsafeRawBufferPointer(utf8).loadUnaligned(fromByteOffset: clean, as: UInt64.self)) {
                clean += 8
            }
            var runStart = 0
            for i in clean..<utf8.count where utf8[i] < 0x20 || utf8[i] == 0x7F || utf8[i] == 34 || utf8[i] == 92 {
                out.append(bytes: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                appendEscaped(utf8[i])
                runStart = i + 1
            }
            out.append(bytes: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// The values another writer (made without a sink) rendered, comma-separated, as the next elements of the
    /// current array. With a sink they go to it as they are, after this writer's text, not through its buffer.
    public mutating func elements(of rendered: JSONWriter) {
        guard rendered.out.count > 0 else { return }
        separate()
        if sink != nil {
            flush()
            if failure == nil {
                do { try sink?(rendered.out.array) } catch { failure = error }
            }
        } else {
            rendered.out.withBytes { out.append(bytes: $0) }
        }
        needsComma = true
    }

    /// Empties a writer made without a sink, to write again from the start.
    mutating func reset() {
        out.removeAll()
        needsComma = false
    }

    /// A string known when procscope was built (a flag's name): its bytes need no escaping.
    @inline(__always)
    public mutating func string(_ literal: StaticString) {
        separate()
        out.append(UInt8(ascii: "\""))
        appendLiteral(literal)
        out.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// Whether any of the eight bytes of `word` needs escaping: a control character (below 0x20), a quote, a
    /// backslash or DEL. Exact, with the bit tricks for "has a zero byte" and "has a byte below n"
    /// (https://graphics.stanford.edu/~seander/bithacks.html#ZeroInWord); bytes of 0x80 and above (UTF-8) pass.
    @inline(__always)
    static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZeroByte(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        let hasControl = (word &- ones &* 0x20) & ~word & highs != 0
        return hasControl || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
            || hasZeroByte(word ^ (ones &* 0x7F))
    }

    /// RFC 8259 escape of a quote, backslash, control character or DEL.
    private mutating func appendEscaped(_ byte: UInt8) {
        out.append(92)
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
        case UInt8(ascii: "\n"): out.append(UInt8(ascii: "n"))
        case UInt8(ascii: "\r"): out.append(UInt8(ascii: "r"))
        case UInt8(ascii: "\t"): out.append(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            hex.withUTF8Buffer { hex in
                for digit in [UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]] { out.append(digit) }
            }
        }
    }

    /// A timestamp as an RFC 3339 string, formatted straight into the buffer.
    public mutating func timestamp(_ value: Timestamp) {
        formatted(quoted: true) { value.appendRFC3339(to: &$0) }
    }

    /// A 64-bit value as a string of 16 lowercase hex digits (a conversation's id), formatted straight into
    /// the buffer.
    public mutating func hex(_ value: UInt64) {
        formatted(quoted: true) { sink in
            for shift in stride(from: 60, through: 0, by: -4) {
                let digit = UInt8(truncatingIfNeeded: value >> UInt64(shift)) & 15
                sink.append(digit < 10 ? 48 + digit : 87 + digit)
            }
        }
    }

    /// An address as a string (`IPAddress.description`), formatted straight into the buffer: its text needs
    /// no escaping.
    public mutating func address(_ value: IPAddress) {
        formatted(quoted: true) { value.appendText(to: &$0) }
    }

    /// A value whose text a formatter writes into the buffer itself and that needs no escaping.
    @inline(__always)
    private mutating func formatted(quoted: Bool, _ format: (inout ByteBuffer) -> Void) {
        separate()
        if quoted { out.append(UInt8(ascii: "\"")) }
        var sink = out
        format(&sink)
        if quoted { out.append(UInt8(ascii: "\"")) }
        needsComma = true
    }

    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    @inline(__always)
    public mutating func number(_ value: UInt64) {
        formatted(quoted: false) { value.appendDecimal(to: &$0) }
    }

    public mutating func number(_ value: Int64) {
        if value < 0 {
            separate()
            out.append(UInt8(ascii: "-"))
            needsComma = false
            number(value.magnitude) // not -value: Int64.min has no positive twin
        } else {
            number(UInt64(value))
        }
    }

    @inline(__always)
    public mutating func null() {
        separate()
        append("null")
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separate()
        append(value ? "true" : "false")
        needsComma = true
    }

    @inline(__always)
    private mutating func append(_ literal: StaticString) {
        appendLiteral(literal)
    }

    /// A literal's bytes, straight from its storage: `withUTF8Buffer`'s closure cost a retain and a release of
    /// the buffer per key (a tenth of the export's time).
    @inline(__always) private func appendLiteral(_ literal: StaticString) {
        if literal.hasPointerRepresentation {
            out.append(bytes: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        } else {
            literal.withUTF8Buffer { out.append(bytes: $0) }
        }
    }

    @inline(__always)
    private mutating func separate() {
        if out.count >= flushBytes { flush() }
        if needsComma { out.append(UInt8(ascii: ",")) }
    }
}
