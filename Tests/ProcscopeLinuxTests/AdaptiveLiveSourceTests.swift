@testable import ProcscopeLinux
import ProcscopeCore
import Testing

/// The live source's switch between immediate and buffered capture, on fake handles fed by a shared "wire":
/// every frame sent while a handle is open reaches it, as the kernel gives each packet socket its copy.
@Suite struct AdaptiveLiveSourceTests {
    /// Frames on the wire: (time in microseconds, a distinct payload byte pattern).
    final class Wire {
        var handles: [FakeHandle] = []
        var opened: [Bool] = []
        func send(_ time: Int64, _ tag: UInt32) {
            for handle in handles where handle.isOpen { handle.queue.append((time, tag)) }
        }
    }

    final class FakeHandle: LiveCaptureHandle {
        var queue: [(Int64, UInt32)] = []
        var isOpen = true
        var linkType: LinkType { .ethernet }
        var name: String { "fake" }
        var snapLength: Int { 256 }
        var selectableDescriptor: Int32? { 3 }
        func dispatch(limit: Int, _ handler: (UnsafeRawBufferPointer, Int, Timestamp) -> Void) throws -> Int? {
            let batch = queue.prefix(limit)
            queue.removeFirst(batch.count)
            for (time, tag) in batch {
                var bytes = [UInt8](repeating: 0, count: 60)
                withUnsafeBytes(of: tag) { bytes.replaceSubrange(0..<4, with: $0) }
                bytes.withUnsafeBytes { handler($0, 60, Timestamp(microseconds: time)) }
            }
            return batch.count
        }
        func drops() -> (kernel: UInt64, interface: UInt64) { (0, 0) }
        func receivedByFilter() -> UInt64 { 0 }
    }

    /// A source over `wire` whose old handles stop receiving once replaced (closed).
    static func source(_ wire: Wire) throws -> AdaptiveLiveSource {
        try AdaptiveLiveSource(floodRate: 1000, calmRate: 100) { buffered in
            wire.handles.forEach { $0.isOpen = false }
            let handle = FakeHandle()
            wire.handles.append(handle)
            wire.opened.append(buffered)
            return handle
        }
    }

    @Test("A flood switches to buffered capture and calm switches back, and no frame is lost or repeated")
    func floodAndCalmSwitchWithoutLossOrRepeat() throws {
        let wire = Wire()
        var received: [UInt32] = []
        var sent: [UInt32] = []
        // Here the old handle stops receiving when the new one opens (what it queued is still drained); the
        // next test keeps both open, as the kernel does for a moment.
        let source = try Self.source(wire)
        var tag: UInt32 = 0
        func sendAt(_ time: Int64) {
            tag += 1
            sent.append(tag)
            wire.send(time, tag)
        }
        func take() throws {
            _ = try source.dispatch(limit: 64) { bytes, _, _ in received.append(bytes.loadUnaligned(as: UInt32.self)) }
        }
        // 2 s at 5,000 frames a second: a flood by this source's thresholds.
        var time: Int64 = 1_000_000
        for _ in 0..<10_000 {
            sendAt(time)
            time += 200
            if tag % 50 == 0 { try take() }
        }
        try take()
        #expect(wire.opened.contains(true), "the flood was captured buffered")
        // Then 2 s at 10 frames a second: calm.
        for _ in 0..<20 {
            sendAt(time)
            time += 100_000
            try take()
        }
        try take()
        #expect(wire.opened.last == false, "calm is captured immediately again")
        #expect(source.switches >= 2)
        #expect(received == sent, "every frame once, in order")
    }

    @Test("Frames both handles saw around a switch are delivered once, frames stamped the same microsecond kept apart")
    func overlapAroundASwitchIsDeliveredOnce() throws {
        let wire = Wire()
        var opened = 0
        // This source keeps the old handle open until it is drained: the overlap the real kernel gives.
        let source = try AdaptiveLiveSource(floodRate: 1000, calmRate: 100) { buffered in
            opened += 1
            let handle = FakeHandle()
            wire.handles.append(handle)
            wire.opened.append(buffered)
            return handle
        }
        var received: [UInt32] = []
        var tag: UInt32 = 0
        var time: Int64 = 1_000_000
        // 1.2 s of a flood, taken as it comes: the window ends and a switch is wanted.
        for _ in 0..<6000 {
            tag += 1
            wire.send(time, tag)
            time += 200
            if tag % 100 == 0 {
                _ = try source.dispatch(limit: 4096) { bytes, _, _ in received.append(bytes.loadUnaligned(as: UInt32.self)) }
            }
        }
        // Frames sent now reach the old handle, and the new one once it opens (both stay open): two at the
        // same microsecond, then later ones.
        wire.handles.first?.queue.append((time, tag + 1))
        wire.handles.first?.queue.append((time, tag + 2))
        _ = try source.dispatch(limit: 4096) { bytes, _, _ in received.append(bytes.loadUnaligned(as: UInt32.self)) }
        #expect(opened == 2, "switched to buffered")
        // The same two frames reach the new handle too (it opened before the old one was drained), plus a
        // third stamped the same microsecond that the old handle never saw, and a later one.
        let new = try #require(wire.handles.last)
        new.queue = [(time, tag + 1), (time, tag + 2), (time, tag + 3), (time + 5, tag + 4)]
        _ = try source.dispatch(limit: 4096) { bytes, _, _ in received.append(bytes.loadUnaligned(as: UInt32.self)) }
        #expect(received == Array(1...(tag + 4)))
    }
}
