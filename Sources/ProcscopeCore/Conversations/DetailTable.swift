/// The details of unknown conversations ("socket (cookie 81234) closed before lookup ..."), each stored once
/// and shared by the conversations that name it, and dropped when the last of them retires.
///
/// Unlike owners, methods and reasons (a few values, kept for the whole run: the folded totals name them),
/// details carry cookies, inodes and addresses: an intern table that never forgets would keep one string per
/// unknown conversation ever seen, and a capture that runs for days would grow without bound.
public struct DetailTable: Sendable {
    private var values: [String?] = []
    private var uses: [Int32] = []
    private var indices: [String: Int32] = [:]
    /// Indices whose detail was dropped, reused first.
    private var free: [Int32] = []
    /// The index `retain` handed out last, while its detail is stored: every flow of a file names one detail,
    /// compared here without hashing it (the same string's storage compares at once).
    private var last: Int32 = -1

    public init() {}

    /// Details stored now (named by at least one conversation).
    public var count: Int { indices.count }

    /// The index of `detail`, counting one more conversation that names it.
    public mutating func retain(_ detail: String) -> Int32 {
        if last >= 0, values[Int(last)] == detail {
            uses[Int(last)] += 1
            return last
        }
        if let index = indices[detail] {
            uses[Int(index)] += 1
            last = index
            return index
        }
        let index: Int32
        if let reused = free.popLast() {
            index = reused
            values[Int(index)] = detail
            uses[Int(index)] = 1
        } else {
            index = Int32(values.count)
            values.append(detail)
            uses.append(1)
        }
        indices[detail] = index
        last = index
        return index
    }

    /// One conversation naming `index` no longer does; the detail goes with its last one. Negative indices
    /// (a conversation without a detail) are ignored.
    public mutating func release(_ index: Int32) {
        guard index >= 0, Int(index) < uses.count, uses[Int(index)] > 0 else { return }
        uses[Int(index)] -= 1
        guard uses[Int(index)] == 0 else { return }
        if let value = values[Int(index)] { indices.removeValue(forKey: value) }
        values[Int(index)] = nil
        free.append(index)
        if index == last { last = -1 }
    }

    /// The detail at `index` (empty if it was dropped: no live conversation names a dropped index).
    public subscript(index: Int) -> String { values[index] ?? "" }
}
