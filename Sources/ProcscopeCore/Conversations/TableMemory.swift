import CCacheHints

/// Raw memory for the flow table's records and index: read at random, a frame at a time, so a large one is
/// aligned to and advised onto huge pages (`procscope_advise_huge_pages`), a TLB entry per 2 MiB instead of
/// per 4 KiB. Small ones are ordinary allocations. Freed with `deallocate()`.
enum TableMemory {
    static let hugePage = 2 << 20

    static func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        guard byteCount >= hugePage else { return .allocate(byteCount: byteCount, alignment: alignment) }
        let memory = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: max(alignment, hugePage))
        procscope_advise_huge_pages(memory, byteCount / hugePage * hugePage)
        return memory
    }
}
