/// Integer reads in a capture file's own byte order (the writer's, announced by its magic number), for the
/// file readers. Callers check the range first.
@usableFromInline struct FileByteOrder {
    /// Whether the file was written on a host of the other endianness.
    @usableFromInline var swapped: Bool

    @usableFromInline init(swapped: Bool) { self.swapped = swapped }

    @inlinable func u16(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        return swapped ? raw.byteSwapped : raw
    }

    @inlinable func u32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return swapped ? raw.byteSwapped : raw
    }

    @inlinable func u64(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        return swapped ? raw.byteSwapped : raw
    }
}
