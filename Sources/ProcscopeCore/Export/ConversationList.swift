/// A report's conversations: either values, or the slots of a finished session's table, made into values as
/// they are read.
///
/// The final report of a capture that writes `--json` lists every conversation it saw; held as values, the
/// list would cost about as much again as the table it was made from (some 200 bytes per conversation on top
/// of the table's 150). As slots it costs 4 bytes per conversation, and the JSON writer makes each entry as
/// it writes it. Slots are read from the session whenever the list is, so such a list is made only when the
/// session takes no more frames (`CaptureSession.report(_:listing:)`).
public struct ConversationList: RandomAccessCollection, Sendable {
    private enum Storage: Sendable {
        case values([CaptureReport.ConversationEntry])
        case slots([Int32], EntryMaker)
    }

    /// Makes a slot's entry; a class so the list stays a small value, `@unchecked` because it reads the
    /// session, which the report's readers use on the session's own thread after the session ended.
    final class EntryMaker: @unchecked Sendable {
        let make: (Int32) -> CaptureReport.ConversationEntry
        init(_ make: @escaping (Int32) -> CaptureReport.ConversationEntry) { self.make = make }
    }

    private var storage: Storage

    public init(_ values: [CaptureReport.ConversationEntry] = []) { storage = .values(values) }

    init(slots: [Int32], maker: EntryMaker) { storage = .slots(slots, maker) }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch storage {
        case .values(let values): values.count
        case .slots(let slots, _): slots.count
        }
    }

    public subscript(position: Int) -> CaptureReport.ConversationEntry {
        switch storage {
        case .values(let values): values[position]
        case .slots(let slots, let maker): maker.make(slots[position])
        }
    }

    /// Adds an entry (a list of slots becomes a list of values first).
    public mutating func append(_ entry: CaptureReport.ConversationEntry) {
        var values: [CaptureReport.ConversationEntry]
        switch storage {
        case .values(let held): values = held
        case .slots: values = Array(self)
        }
        storage = .values([]) // the array's only reference is `values` now: appended in place
        values.append(entry)
        storage = .values(values)
    }

    /// Entries rendered per job: about 0.5 MB of JSON, so two lanes hold some 1 MB of text at a time.
    static let renderChunk = 1024

    /// Writes the entries as the next elements of the array `writer` is in. With `jobs`, a long list is
    /// rendered a chunk per job, `jobs.width` chunks at a time, each lane into a writer of its own kept from
    /// round to round, and handed on in order: the same bytes as one writer makes. The entries of 50,000
    /// conversations took a fifth of `capture -r FILE --json`'s time on one thread, while the file's reader
    /// thread had nothing left to do.
    func writeElements(to writer: inout JSONWriter, jobs: ParallelJobs?) {
        guard let jobs, jobs.width > 1, count >= 2 * Self.renderChunk else {
            for entry in self { entry.write(to: &writer) }
            return
        }
        let chunks = (count + Self.renderChunk - 1) / Self.renderChunk
        let lanes = Lanes(count: jobs.width)
        var first = 0
        while first < chunks {
            let round = Swift.min(jobs.width, chunks - first)
            let list = self, base = first
            jobs.run(round) { lane in
                let chunk = base + lane
                lanes.render(list, (chunk * Self.renderChunk)..<Swift.min(list.count, (chunk + 1) * Self.renderChunk),
                             in: lane)
            }
            for lane in 0..<round { writer.elements(of: lanes.writers[lane]) }
            first += round
        }
    }

    /// A writer per lane: each job writes only its own, and the caller reads them after `run` returns.
    private final class Lanes: @unchecked Sendable {
        private(set) var writers: [JSONWriter]
        init(count: Int) { writers = (0..<count).map { _ in JSONWriter(capacity: ConversationList.renderChunk * 512) } }

        func render(_ list: ConversationList, _ range: Range<Int>, in lane: Int) {
            writers.withUnsafeMutableBufferPointer { writers in
                writers[lane].reset()
                for index in range { list[index].write(to: &writers[lane]) }
            }
        }
    }
}
