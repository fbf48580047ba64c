/// Where the text formatters (`appendDecimal`, `appendRFC3339`, `IPAddress.appendText`) write: an array, or
/// the JSON writer's `ByteBuffer`. Generic, so each use is specialized and appends cost a store.
public protocol ByteSink {
    mutating func append(_ byte: UInt8)
    mutating func append(bytes: UnsafeBufferPointer<UInt8>)
    /// Appends `count` bytes that `fill` writes in place (a number's digits, written from the last).
    mutating func append(count: Int, filling fill: (UnsafeMutablePointer<UInt8>) -> Void)
}

extension Array: ByteSink where Element == UInt8 {
    @inlinable public mutating func append(bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }

    @inlinable public mutating func append(count: Int, filling fill: (UnsafeMutablePointer<UInt8>) -> Void) {
        let start = self.count
        append(contentsOf: repeatElement(0, count: count))
        withUnsafeMutableBufferPointer { fill($0.baseAddress.unsafelyUnwrapped + start) }
    }
}

/// Growable bytes in raw memory for the JSON writer: a conversation's JSON is some 80 appends, and an array
/// checks its capacity and its uniqueness at each (a third of the export's time, measured with perf).
public final class ByteBuffer: ByteSink {
    private var base: UnsafeMutablePointer<UInt8>
    public private(set) var count = 0
    private var capacity: Int

    public init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always) public func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always) public func append(bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        let length = bytes.count
        if count + length > capacity { grow(to: count + length) }
        if length <= 16 {
            Self.copySmall(UnsafeRawPointer(source), to: UnsafeMutableRawPointer(base + count), length)
        } else {
            (base + count).update(from: source, count: length)
        }
        count += length
    }

    /// Copies 1 to 16 bytes with two overlapping loads and stores (or a few single bytes): most of the JSON's
    /// appends are a key or a short value, and a call to memmove for each was a tenth of the export's samples.
    @inline(__always)
    private static func copySmall(_ source: UnsafeRawPointer, to target: UnsafeMutableRawPointer, _ length: Int) {
        if length >= 8 {
            let head = source.loadUnaligned(as: UInt64.self), tail = source.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
            target.storeBytes(of: head, as: UInt64.self)
            target.storeBytes(of: tail, toByteOffset: length - 8, as: UInt64.self)
        } else if length >= 4 {
            let head = source.loadUnaligned(as: UInt32.self), tail = source.loadUnaligned(fromByteOffset: length - 4, as: UInt32.self)
            target.storeBytes(of: head, as: UInt32.self)
            target.storeBytes(of: tail, toByteOffset: length - 4, as: UInt32.self)
        } else {
            for i in 0..<length { target.storeBytes(of: source.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i, as: UInt8.self) }
        }
    }

    @inline(__always) public func append(count length: Int, filling fill: (UnsafeMutablePointer<UInt8>) -> Void) {
        if count + length > capacity { grow(to: count + length) }
        fill(base + count)
        count += length
    }

    public func removeAll() { count = 0 }

    /// The bytes, borrowed for `body`.
    public func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// A copy of the bytes.
    public var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    private func grow(to needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = size
    }
}
