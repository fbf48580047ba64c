/// The session's conversations, stored by slot, and the index that finds a live one by its flow key.
///
/// A slot number is a conversation's name for as long as it lives: attribution answers, close events, the
/// annotated file and the NDJSON stream all refer to slots. A retired conversation's slot is reused by the
/// next new one, so the table holds what is live, not what was ever seen. Records are compact
/// (`Conversation`, 128 bytes) and the index costs 16 to 32 bytes per live conversation: together under the
/// 256-byte budget (`LongRunMemoryTests` measures it with `--json`, from a pipe).
///
/// Conversations that ended (a close, a new SYN on the tuple) stay in their slot, unindexed, until retired:
/// late frames and the outputs still name them.
///
/// Records live in raw memory that the table owns (`Conversation` holds no references), not in an array:
/// the capture loop reaches them several times per frame through the session, and an array there costs a
/// retain, a release and a uniqueness check each time (a fifth of `capture -r`'s time when measured).
public final class ConversationTable {
    private var records: UnsafeMutablePointer<Conversation>
    private var allocated: Int
    /// Slots used so far (live, ended or retired).
    public private(set) var slotCount = 0
    let index = FlowIndex()
    /// Slots of retired conversations, reused first, lowest first.
    private var free = FreeSlots()
    /// What the records' memory never shrinks below.
    private let minimumAllocation: Int

    public init(capacity: Int = 1024) {
        allocated = max(capacity, 16)
        minimumAllocation = allocated
        records = Self.allocate(allocated)
    }

    /// Records start on a cache line: a 128-byte record then spans exactly two lines (the two
    /// `FlowIndex.prefetchRecord` hints), not three. Large tables sit on huge pages (`TableMemory`).
    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Conversation> {
        TableMemory.allocate(byteCount: count * MemoryLayout<Conversation>.stride, alignment: 64)
            .bindMemory(to: Conversation.self, capacity: count)
    }

    deinit {
        records.deinitialize(count: slotCount)
        records.deallocate()
    }

    @inline(__always) public subscript(_ slot: Int32) -> Conversation {
        unsafeAddress { UnsafePointer(records + checked(Int(slot))) }
        unsafeMutableAddress { records + checked(Int(slot)) }
    }

    @inline(__always) public subscript(_ slot: Int) -> Conversation {
        unsafeAddress { UnsafePointer(records + checked(slot)) }
        unsafeMutableAddress { records + checked(slot) }
    }

    @inline(__always) private func checked(_ slot: Int) -> Int {
        precondition(slot >= 0 && slot < slotCount, "conversation slot \(slot) out of range")
        return slot
    }

    /// The slots up to the highest in use (live, ended, or retired and free), for walks over the table.
    public var slots: Range<Int> { 0..<slotCount }
    /// Conversations not retired.
    public var liveCount: Int { slotCount - free.count }
    /// Conversations a frame can still be counted in (not ended).
    public var indexedCount: Int { index.count }
    /// The live conversation of `key`.
    @inline(__always) public func find(_ key: FlowKey) -> Int32? {
        index.find(key, in: records)
    }

    /// The live conversation of `key` or of `key` seen from the other end, in one probe (the index hashes both
    /// orientations alike); `key` itself wins when both exist.
    @inline(__always) public func findEitherWay(_ key: FlowKey) -> (slot: Int32, reversed: Bool)? {
        findEitherWay(key, hash: key.symmetricHash)
    }

    /// `findEitherWay` with the key's `symmetricHash` already known (computed ahead, on the reader thread).
    @inline(__always) public func findEitherWay(_ key: FlowKey, hash: UInt64) -> (slot: Int32, reversed: Bool)? {
        index.findEitherWay(key, hash: hash, in: records)
    }

    /// The live conversations of `key` and of `key.reversed`, in one probe. `hash` is `key.symmetricHash`.
    @inline(__always) public func findBothWays(_ key: FlowKey, hash: UInt64) -> (forward: Int32?, reversed: Int32?) {
        index.findBothWays(key, hash: hash, in: records)
    }

    /// Asks the processor to start loading the index entry of a flow hashed `hash` (`FlowKey.symmetricHash`),
    /// so that a lookup a few frames later finds it in cache.
    @inline(__always) public func prefetch(hash: UInt64) {
        index.prefetch(hash: hash)
    }

    /// Asks the processor to start loading the record that flow most likely finds (once its entry is in).
    @inline(__always) public func prefetchRecord(hash: UInt64) {
        index.prefetchRecord(hash: hash, in: records)
    }

    /// Stores a new conversation, indexed by its key (which must not be live), and returns its slot.
    public func add(_ conversation: Conversation) -> Int32 {
        let slot = store(conversation)
        index.insert(conversation.key, slot: slot)
        return slot
    }

    /// Stores a conversation no frame will find by key (a re-read annotated file names its conversations by
    /// the file's ids), in a new slot.
    public func append(unindexed conversation: Conversation) -> Int32 {
        appendSlot(conversation)
    }

    /// Moves a live conversation to another key.
    public func rekey(_ slot: Int32, to key: FlowKey) {
        index.remove(self[slot].key, in: records)
        self[slot].key = key
        index.insert(key, slot: slot)
    }

    /// Ends a conversation: frames of its key no longer find it (the next one starts a new conversation).
    public func end(_ slot: Int32) {
        guard !self[slot].isClosed else { return }
        self[slot].isClosed = true
        index.remove(self[slot].key, in: records)
    }

    /// Retires a conversation (after its totals were folded away): its slot is free for the next new one.
    public func retire(_ slot: Int32) {
        end(slot)
        self[slot].isRetired = true
        free.insert(slot)
    }

    /// Gives back what a burst left behind, after a retirement pass. Free slots are reused lowest first, so
    /// live conversations gather at the start of the table, and the retired ones at its end are dropped. The
    /// records' memory halves while a quarter or less of it is in use, and the index's likewise, so a
    /// capture's memory follows what is live now, not the most it ever held.
    public func compact() {
        slotCount = free.trimmed(end: slotCount)
        var target = allocated
        while target / 2 >= minimumAllocation && slotCount * 4 <= target { target /= 2 }
        if target < allocated {
            let shrunk = Self.allocate(target)
            shrunk.moveInitialize(from: records, count: slotCount)
            records.deallocate()
            records = shrunk
            allocated = target
        }
        index.shrinkIfSparse()
    }

    /// Record slots allocated now (for tests of `compact`).
    public var allocatedSlots: Int { allocated }

    private func store(_ conversation: Conversation) -> Int32 {
        if let reused = free.popLowest() {
            self[reused] = conversation
            return reused
        }
        return appendSlot(conversation)
    }

    private func appendSlot(_ conversation: Conversation) -> Int32 {
        if slotCount == allocated {
            let grown = Self.allocate(allocated * 2)
            grown.moveInitialize(from: records, count: slotCount)
            records.deallocate()
            records = grown
            allocated *= 2
        }
        (records + slotCount).initialize(to: conversation)
        slotCount += 1
        return Int32(slotCount - 1)
    }
}
