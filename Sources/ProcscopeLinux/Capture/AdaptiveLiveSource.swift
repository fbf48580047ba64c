import ProcscopeCore

/// A live interface captured in the mode its traffic calls for: immediate (each frame handed over as it
/// arrives, so a new flow's owner is looked up within a fraction of a millisecond of its first frame) while
/// the rate is ordinary, buffered (the kernel hands over blocks of frames) while the interface is flooded.
///
/// Measured with `Scripts/bench-live.sh` on a 2-core machine: beside an immediate-mode capture a loopback
/// UDP flood's sender reached about 0.6-0.75 of its rate beside buffered tcpdump, beside a buffered one
/// 0.85-1.0; but a buffered capture hands a lone frame over only when its block times out (1 ms), which
/// doubles the median first-packet-to-owner time. So the mode follows the rate: above `floodRate` frames a
/// second over a second the capture reopens buffered, below `calmRate` it reopens immediate.
///
/// The switch repeats nothing: the new handle is opened while the old one still captures, the old one is
/// drained and closed, and the new one's frames up to the old one's last are skipped (by timestamp, and for
/// frames stamped with that same microsecond, by length and leading bytes). It loses nothing either, but for
/// a frame that two CPUs stamped out of order at the very microseconds of the switch.
public final class AdaptiveLiveSource: CaptureSource {
    private var current: any LiveCaptureHandle
    /// Opens a handle on the interface, buffered or immediate.
    private let open: (_ buffered: Bool) throws -> any LiveCaptureHandle
    public private(set) var isBuffered = false
    /// Drops and frames received by the filter, counted by handles already closed.
    private var closedDrops: (kernel: UInt64, interface: UInt64) = (0, 0)
    private var closedReceived: UInt64 = 0
    /// After a switch: the new handle's frames up to this time were delivered by the old handle.
    private var skipThrough: Timestamp?
    /// The old handle's last frames at `skipThrough` exactly: (wire length, hash of the leading bytes).
    private var lastFrames: [(Int, Int)] = []
    private var windowStart: Timestamp?
    private var windowFrames = 0
    /// A switch decided by the last window, made at the start of the next dispatch.
    private var switchWanted = false
    /// Problems met while switching (the capture goes on in the mode it had), for the caller to report.
    public private(set) var switchFailures: [String] = []

    /// Mode changes so far (each way).
    public private(set) var switches = 0
    let floodRate: Int
    let calmRate: Int

    /// Captures `interface` through libpcap, starting immediate.
    public convenience init(interface: String, filter: String?, snapLength: Int, bufferBytes: Int,
                            direction: CaptureDirection = .inout, precision: TimestampPrecision = .micro) throws {
        try self.init(floodRate: 100_000, calmRate: 20_000) { buffered in
            try PcapCaptureSource.live(interface: interface, filter: filter, snapLength: snapLength,
                                       bufferBytes: bufferBytes, buffered: buffered, direction: direction,
                                       precision: precision)
        }
    }

    /// `open` makes a handle in either mode (tests give fakes); frames per second above `floodRate` switch
    /// to buffered, below `calmRate` back.
    init(floodRate: Int, calmRate: Int, open: @escaping (_ buffered: Bool) throws -> any LiveCaptureHandle) throws {
        self.floodRate = floodRate
        self.calmRate = calmRate
        self.open = open
        current = try open(false)
    }

    public var linkType: LinkType { current.linkType }
    public var name: String { current.name }
    public var snapLength: Int { current.snapLength }
    /// Changes when the mode does: poll the one this returns after each dispatch.
    public var selectableDescriptor: Int32? { current.selectableDescriptor }

    public func dispatch(limit: Int, _ handler: (UnsafeRawBufferPointer, Int, Timestamp) -> Void) throws -> Int? {
        if switchWanted {
            switchWanted = false
            try switchMode(handler)
        }
        var delivered = 0
        let result = try current.dispatch(limit: limit) { bytes, length, time in
            if let skip = skipThrough {
                if time < skip || (time == skip && lastFrames.contains { $0 == (length, Self.leading(bytes)) }) { return }
                if time > skip { skipThrough = nil; lastFrames = [] }
            }
            delivered += 1
            handler(bytes, length, time)
            note(time)
        }
        return result == nil ? nil : delivered
    }

    /// The handle handing the frame over (the old one while a switch drains it) stamped it.
    public var subMicroseconds: UInt16 { current.subMicroseconds }

    public func drops() -> (kernel: UInt64, interface: UInt64) {
        let now = current.drops()
        return (closedDrops.kernel + now.kernel, closedDrops.interface + now.interface)
    }

    /// Frames the kernel filter accepted so far (tcpdump's "received by filter"); frames both handles saw
    /// while switching are counted twice here, as each handle's filter did accept them.
    public func receivedByFilter() -> UInt64 { closedReceived + current.receivedByFilter() }

    /// Counts a frame into the rate window (by the frames' own timestamps: no clock read per frame) and decides
    /// at the end of each second whether the mode should change.
    private func note(_ time: Timestamp) {
        guard let start = windowStart else {
            windowStart = time
            return
        }
        windowFrames += 1
        let elapsed = time.microseconds(since: start)
        guard elapsed >= 1_000_000 else { return }
        let rate = Int(Int64(windowFrames) * 1_000_000 / elapsed)
        switchWanted = isBuffered ? rate < calmRate : rate > floodRate
        windowStart = time
        windowFrames = 0
    }

    /// Opens the other mode's handle, drains the old one into `handler`, closes it.
    private func switchMode(_ handler: (UnsafeRawBufferPointer, Int, Timestamp) -> Void) throws {
        let next: any LiveCaptureHandle
        do {
            next = try open(!isBuffered)
        } catch {
            if switchFailures.count < 4 { switchFailures.append("\(error)") }
            return
        }
        var last: Timestamp?
        var atLast: [(Int, Int)] = []
        while let count = try current.dispatch(limit: 4096, { bytes, length, time in
            if time != last { atLast = [] }
            last = time
            atLast.append((length, Self.leading(bytes)))
            handler(bytes, length, time)
        }), count > 0 {}
        let old = current.drops()
        closedDrops = (closedDrops.kernel + old.kernel, closedDrops.interface + old.interface)
        closedReceived += current.receivedByFilter()
        current = next
        isBuffered.toggle()
        switches += 1
        skipThrough = last
        lastFrames = atLast
        windowStart = nil
        windowFrames = 0
    }

    /// A cheap fingerprint of a frame's first bytes, to tell frames stamped with the same microsecond apart.
    private static func leading(_ bytes: UnsafeRawBufferPointer) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: bytes.prefix(64)))
        return hasher.finalize()
    }
}

/// A live capture handle in one mode (`PcapCaptureSource`; fakes in tests).
protocol LiveCaptureHandle: CaptureSource {
    /// Frames the kernel filter accepted so far.
    func receivedByFilter() -> UInt64
}

extension PcapCaptureSource: LiveCaptureHandle {}
