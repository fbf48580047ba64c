import Foundation
import Glibc
import ProcscopeCore
import Synchronization

/// Reads a mapped capture file ahead of the session, in batches of decoded frames (`PreparedFrame`): on a
/// reader thread when the machine has a second processor, else on the caller's. Reading, filtering and
/// decoding (about two fifths of `capture -r`'s time in perf) then run beside the counting, which keeps its
/// one thread and its order: the session sees the same frames, one by one, as from `dispatch`.
///
/// A bounded ring of `slots` batches, handed over with two counting semaphores (filled and free), whose
/// post and wait order the batch's memory between the threads. The mapped pages behind the last batch the
/// session finished are dropped by the reader (`consumedOffset`), never pages of a batch still being counted.
final class FileReadAhead: @unchecked Sendable {
    struct Batch {
        var frames: UnsafeMutablePointer<PreparedFrame>
        var count = 0
        var ended = false
        var error: CaptureError?
        /// The file offset after the batch's last frame.
        var endOffset = 0
    }

    static let batchSize = 1024, slots = 8

    private let source: CaptureFileSource
    private let decoder: FrameDecoder
    private let batches: UnsafeMutablePointer<Batch>
    private let filled = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    private let free = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    private let exited = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    private let stopping = Atomic<Bool>(false)
    private let consumedOffset = Atomic<Int>(0)
    /// Whether a reader thread fills the batches (else `next` fills one in place).
    let threaded: Bool
    private var nextToRead = 0, nextToFill = 0
    private var running = false

    /// Whether frames are handed over plain where they can be (`PreparedFrame`): the session's
    /// `takesPlainFrames` when reading starts.
    private let plain: Bool

    init(source: CaptureFileSource, plain: Bool, threaded: Bool = sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1) {
        self.source = source
        self.plain = plain
        decoder = FrameDecoder(linkType: source.linkType)
        self.threaded = threaded
        batches = .allocate(capacity: Self.slots)
        for slot in 0..<Self.slots {
            (batches + slot).initialize(to: Batch(frames: .allocate(capacity: Self.batchSize)))
        }
        sem_init(filled, 0, 0)
        sem_init(free, 0, UInt32(Self.slots))
        sem_init(exited, 0, 0)
        if threaded {
            running = true
            let thread = Thread { [self] in
                readAhead()
                sem_post(exited)
            }
            thread.name = "procscope-read"
            thread.start()
        }
    }

    deinit {
        stop()
        for slot in 0..<Self.slots { batches[slot].frames.deallocate() }
        batches.deinitialize(count: Self.slots)
        batches.deallocate()
        for semaphore in [filled, free, exited] {
            sem_destroy(semaphore)
            semaphore.deallocate()
        }
    }

    /// The next batch of frames, waiting for the reader thread to fill it (or filling it here). After an
    /// `ended` batch there is none.
    func next() -> Batch {
        if threaded {
            wait(filled)
            return batches[nextToRead % Self.slots]
        }
        source.releaseBehind(consumedOffset.load(ordering: .relaxed))
        fill(batches)
        return batches[0]
    }

    /// The session counted the batch `next` handed out: its slot may be filled again, and the pages before it
    /// dropped.
    func done(with batch: Batch) {
        consumedOffset.store(batch.endOffset, ordering: .releasing)
        guard threaded else { return }
        nextToRead += 1
        sem_post(free)
    }

    /// Stops the reader thread (the session stopped before the end: a packet limit, a signal) and waits for it.
    func stop() {
        guard running else { return }
        running = false
        stopping.store(true, ordering: .releasing)
        sem_post(free)
        wait(exited)
    }

    private func readAhead() {
        while true {
            wait(free)
            if stopping.load(ordering: .acquiring) { return }
            source.releaseBehind(consumedOffset.load(ordering: .acquiring))
            let slot = batches + nextToFill % Self.slots
            fill(slot)
            nextToFill += 1
            let ended = slot.pointee.ended
            sem_post(filled)
            if ended { return }
        }
    }

    private func fill(_ slot: UnsafeMutablePointer<Batch>) {
        let result = source.prepare(into: slot.pointee.frames, capacity: Self.batchSize, decoder: decoder,
                                    plain: plain)
        slot.pointee.count = result.count
        slot.pointee.ended = result.ended
        slot.pointee.error = result.error
        slot.pointee.endOffset = source.offset
    }

    private func wait(_ semaphore: UnsafeMutablePointer<sem_t>) {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }
}
