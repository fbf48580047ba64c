import ProcscopeCore

/// A pcap or pcapng file as a `CaptureSource`, read by procscope's own readers over a memory mapping: no
/// copy and no library call per frame, which is what keeps `capture -r` close to tcpdump's speed.
public final class CaptureFileSource: CaptureSource {
    public let name: String
    public let linkType: LinkType
    public let snapLength: Int
    public let selectableDescriptor: Int32? = nil
    private let file: MappedFile
    private var reader: CaptureFileReader
    private let filter: OfflineFilter?
    /// The first comment of the frame being handed over (pcapng `opt_comment`), nil when it has none.
    private var currentComment: String? {
        currentCommentBytes.isEmpty ? nil : String(decoding: currentCommentBytes, as: UTF8.self)
    }
    /// Points into the mapping; valid while the frame is being handed over.
    private var currentCommentBytes = UnsafeRawBufferPointer(start: nil, count: 0)
    /// The frame's procscope annotation (`PacketAnnotation`), likewise; empty when it has none.
    public private(set) var currentAnnotation = UnsafeRawBufferPointer(start: nil, count: 0)
    /// The tables of a file procscope wrote (`-w`), nil for any other file.
    public let annotations: CaptureAnnotations?
    /// The processes an Apple pcapng file names (macOS `tcpdump -k`); empty for others.
    private let appleProcesses: AppleProcessTable?
    private var currentAppleProcess: Int32 = -1
    /// The processes Wireshark's process information blocks describe; nil for classic pcap.
    private let wiresharkProcesses: WiresharkProcessTable?
    /// The frame's `epb_processid_threadid` process id (0: none) and its time, to find its block.
    private var currentProcessID: Int32 = 0
    private var currentTime = Timestamp.zero
    /// The owners the file itself names for the frame being handed over, in audit's words: procscope's own
    /// comment (`procscope: 123/curl > 456/nginx`, from a file whose tables are missing), Apple's process
    /// blocks (macOS `tcpdump -k`), the packet's process id with Wireshark's process blocks, or ptcpdump's
    /// comment (`pid/name`); nil when none. The comment is decoded once, and only when asked.
    public var currentRecordedOwner: String? {
        let comment = currentComment
        if let comment, comment.hasPrefix("procscope: ") { return String(comment.dropFirst("procscope: ".count)) }
        return appleProcesses?.label(at: currentAppleProcess)
            ?? wiresharkProcesses?.label(pid: currentProcessID, at: currentTime)
            ?? comment.flatMap(PtcpdumpComment.owner)
    }

    /// Opens `path`; nil when it cannot be mapped (not a regular file) or is in a format only libpcap reads,
    /// so the caller falls back to `PcapCaptureSource.file`.
    public init?(path: String, filter: String?) throws {
        let mapped: MappedFile?
        do { mapped = try MappedFile(path: path) } catch {
            throw CaptureError.cannotOpenFile(path: path, message: "\(error)")
        }
        guard let mapped, mapped.bytes.count == 0 || CaptureFileReader.recognizes(mapped.bytes) else { return nil }
        do { reader = try CaptureFileReader(mapped.bytes) } catch {
            throw CaptureError.cannotOpenFile(path: path, message: error.description)
        }
        file = mapped
        name = path
        if case .pcapng(let pcapng) = reader {
            annotations = pcapng.annotations()
            appleProcesses = pcapng.appleProcesses
            wiresharkProcesses = pcapng.wiresharkProcesses
        } else {
            annotations = nil
            appleProcesses = nil
            wiresharkProcesses = nil
        }
        linkType = reader.linkType
        snapLength = reader.snapLength
        guard linkType.isSupported else {
            throw CaptureError.unsupportedLinkType(source: path, linkType: linkType.pcapName)
        }
        if let filter, !filter.isEmpty {
            self.filter = try OfflineFilter(expression: filter, linkType: linkType, snapLength: snapLength)
        } else {
            self.filter = nil
        }
    }

    public func dispatch(limit: Int, _ handler: (UnsafeRawBufferPointer, Int, Timestamp) -> Void) throws -> Int? {
        // The batch before this one is accounted: its pages can go.
        file.releaseBehind(reader.offset)
        file.populateAhead(reader.offset)
        do {
            return try reader.read(limit: limit) { frame in
                guard filter?.matches(frame.bytes, wireLength: frame.wireLength) ?? true else { return }
                currentCommentBytes = frame.comment
                currentAnnotation = frame.annotation
                currentAppleProcess = frame.appleProcessIndex
                currentProcessID = frame.processID
                currentTime = frame.time
                handler(frame.bytes, frame.wireLength, frame.time)
            }
        } catch {
            throw CaptureError.readFailed(source: name, message: error.description)
        }
    }

    /// Reads up to `capacity` frames (those the filter keeps) and decodes them into `frames`, for counting
    /// later (`FileReadAhead`), plain where `plain` allows (`PreparedFrame.prepare`): their bytes stay mapped
    /// until `releaseBehind` passes them. Returns how many, whether the file ended, and the read error that
    /// ended it (a corrupt tail: the frames before it are returned with it). Safe on another thread than the session's, which only reads what it is handed.
    func prepare(into frames: UnsafeMutablePointer<PreparedFrame>, capacity: Int, decoder: FrameDecoder, plain: Bool)
        -> (count: Int, ended: Bool, error: CaptureError?) {
        file.populateAhead(reader.offset)
        var count = 0, read = 0
        do {
            while count < capacity {
                // Unfiltered, a read delivers exactly what is asked; filtered, it may keep fewer.
                let delivered = try reader.read(limit: capacity - count) { frame in
                    guard filter?.matches(frame.bytes, wireLength: frame.wireLength) ?? true else { return }
                    PreparedFrame.prepare(frames + count, decoding: frame.bytes, wireLength: frame.wireLength,
                                          at: frame.time, with: decoder, plain: plain)
                    count += 1
                }
                guard let delivered else { return (count, true, nil) }
                read += delivered
                if filter == nil || read >= capacity * 8 { break } // a filter keeping little: hand over what there is
            }
        } catch {
            return (count, true, CaptureError.readFailed(source: name, message: error.description))
        }
        return (count, false, nil)
    }

    /// The file offset the next frame is read from.
    var offset: Int { reader.offset }

    /// Drops the mapped pages before `offset` (frames up to there are counted).
    func releaseBehind(_ offset: Int) { file.releaseBehind(offset) }

    public func drops() -> (kernel: UInt64, interface: UInt64) { (0, 0) }
}
