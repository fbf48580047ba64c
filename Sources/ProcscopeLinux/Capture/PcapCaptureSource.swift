import CPcap
import Glibc
import ProcscopeCore

/// A libpcap handle as a `CaptureSource`: a live interface (immediate or buffered, non-blocking, polled) or a pcap /
/// pcapng file. The `pcap_t` never leaves this class and is closed in `deinit`; frame pointers are handed to
/// a non-escaping handler only for the duration of one `pcap_dispatch`.
public final class PcapCaptureSource: CaptureSource {
    private let handle: OpaquePointer
    public let name: String
    public let linkType: LinkType
    public let snapLength: Int
    public let selectableDescriptor: Int32?
    private let context = DispatchContext()

    private init(handle: OpaquePointer, name: String, live: Bool) {
        self.handle = handle
        self.name = name
        self.linkType = LinkType(rawValue: pcap_datalink(handle))
        self.snapLength = Int(pcap_snapshot(handle))
        let fd = live ? pcap_get_selectable_fd(handle) : -1
        self.selectableDescriptor = fd >= 0 ? fd : nil
    }

    deinit { pcap_close(handle) }

    /// The block timeout of a buffered live capture: the kernel's smallest (it counts in milliseconds).
    public static let bufferedTimeoutMillis: Int32 = 1

    /// Opens `interface` for live capture (`any` for all), with `filter` compiled into the kernel filter.
    /// On `any` the cooked v2 header is requested so frames carry their interface index.
    /// Immediate mode (libpcap's TPACKET_V2 ring) hands each frame over as it arrives; `buffered` (TPACKET_V3)
    /// hands over blocks of frames, when full or after `bufferedTimeoutMillis`, which costs a flooding
    /// sender far less but delays a lone frame by up to that timeout.
    public static func live(interface: String, filter: String?, snapLength: Int = 256,
                            bufferBytes: Int = 64 << 20, buffered: Bool = false,
                            direction: CaptureDirection = .inout,
                            precision: TimestampPrecision = .micro) throws -> PcapCaptureSource {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_create(interface, &errorBuffer) else {
            throw CaptureError.setupFailed(interface: interface, message: errorText(errorBuffer))
        }
        pcap_set_snaplen(handle, Int32(snapLength))
        pcap_set_promisc(handle, 0)
        pcap_set_immediate_mode(handle, buffered ? 0 : 1)
        if buffered { pcap_set_timeout(handle, bufferedTimeoutMillis) }
        pcap_set_buffer_size(handle, Int32(clamping: bufferBytes))
        if precision == .nano, pcap_set_tstamp_precision(handle, Int32(PCAP_TSTAMP_PRECISION_NANO)) != 0 {
            pcap_close(handle)
            throw CaptureError.setupFailed(interface: interface, message: "libpcap cannot stamp frames in nanoseconds "
                                           + "here; capture without --nano")
        }
        let status = pcap_activate(handle)
        if status < 0 {
            let message = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            switch status {
            case PCAP_ERROR_PERM_DENIED:
                throw CaptureError.permissionDenied(interface: interface, message: message)
            case PCAP_ERROR_NO_SUCH_DEVICE:
                throw CaptureError.noSuchInterface(interface, available: (try? interfaceNames()) ?? [])
            case PCAP_ERROR_IFACE_NOT_UP:
                throw CaptureError.interfaceNotUp(interface)
            default:
                throw CaptureError.setupFailed(interface: interface, message: message)
            }
        }
        if interface == "any" {
            pcap_set_datalink(handle, LinkType.linuxSLL2.rawValue)
        } else {
            LoopbackSentCopies.ignore(onSocket: pcap_fileno(handle), interface: interface)
        }
        let source = PcapCaptureSource(handle: handle, name: interface, live: true)
        source.context.nanoseconds = precision == .nano
        guard source.linkType.isSupported else {
            throw CaptureError.unsupportedLinkType(source: interface, linkType: source.linkType.pcapName)
        }
        let kernelFilter = interface == "any"
            ? LoopbackSentCopies.anyFilter(filter, loopbacks: LoopbackSentCopies.loopbackIndexes()) : filter
        try source.apply(filter: kernelFilter, shownAs: filter)
        if direction != .inout && pcap_setdirection(handle, direction.pcapValue) < 0 {
            throw CaptureError.setupFailed(interface: interface, message: "cannot keep only the '\(direction.rawValue)' "
                                           + "direction (-Q): \(String(cString: pcap_geterr(handle)))")
        }
        if pcap_setnonblock(handle, 1, &errorBuffer) < 0 {
            throw CaptureError.setupFailed(interface: interface, message: errorText(errorBuffer))
        }
        return source
    }

    /// Opens a pcap or pcapng file (`-` for standard input).
    public static func file(path: String, filter: String?) throws -> PcapCaptureSource {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_open_offline_with_tstamp_precision(
            path, UInt32(PCAP_TSTAMP_PRECISION_MICRO), &errorBuffer) else {
            throw CaptureError.cannotOpenFile(path: path, message: errorText(errorBuffer))
        }
        let source = PcapCaptureSource(handle: handle, name: path, live: false)
        guard source.linkType.isSupported else {
            throw CaptureError.unsupportedLinkType(source: path, linkType: source.linkType.pcapName)
        }
        try source.apply(filter: filter)
        return source
    }

    /// Compiles `filter` into the kernel; an error names `shown`, the filter the user gave (when `filter` is
    /// one procscope added to).
    private func apply(filter: String?, shownAs shown: String? = nil) throws {
        guard let filter, !filter.isEmpty else { return }
        var program = bpf_program()
        if pcap_compile(handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 {
            throw CaptureError.badFilter(expression: shown ?? filter, message: String(cString: pcap_geterr(handle)))
        }
        defer { pcap_freecode(&program) }
        if pcap_setfilter(handle, &program) < 0 {
            throw CaptureError.badFilter(expression: shown ?? filter, message: String(cString: pcap_geterr(handle)))
        }
    }

    public func dispatch(limit: Int, _ handler: (UnsafeRawBufferPointer, Int, Timestamp) -> Void) throws -> Int? {
        try withoutActuallyEscaping(handler) { handler in
            context.handler = handler
            defer { context.handler = nil }
            let user = Unmanaged.passUnretained(context).toOpaque().assumingMemoryBound(to: UInt8.self)
            let result = pcap_dispatch(handle, Int32(clamping: limit), { user, header, bytes in
                guard let user, let header, let bytes else { return }
                let context = Unmanaged<DispatchContext>.fromOpaque(UnsafeRawPointer(user)).takeUnretainedValue()
                let h = header.pointee
                var fraction = Int64(h.ts.tv_usec)
                if context.nanoseconds {
                    context.subMicroseconds = UInt16(truncatingIfNeeded: fraction % 1000)
                    fraction /= 1000
                }
                let time = Timestamp(seconds: Int64(h.ts.tv_sec), microseconds: fraction)
                context.handler?(UnsafeRawBufferPointer(start: bytes, count: Int(h.caplen)), Int(h.len), time)
            }, user)
            switch result {
            case ..<(-1):
                return 0 // pcap_breakloop
            case -1:
                throw CaptureError.readFailed(source: name, message: String(cString: pcap_geterr(handle)))
            case 0 where selectableDescriptor == nil:
                return nil // end of file
            default:
                return Int(result)
            }
        }
    }

    public var subMicroseconds: UInt16 { context.subMicroseconds }

    public func drops() -> (kernel: UInt64, interface: UInt64) {
        var stats = pcap_stat()
        guard selectableDescriptor != nil, pcap_stats(handle, &stats) == 0 else { return (0, 0) }
        return (UInt64(stats.ps_drop), UInt64(stats.ps_ifdrop))
    }

    /// Frames the kernel filter accepted so far (tcpdump's "received by filter").
    public func receivedByFilter() -> UInt64 {
        var stats = pcap_stat()
        guard selectableDescriptor != nil, pcap_stats(handle, &stats) == 0 else { return 0 }
        return UInt64(stats.ps_recv)
    }

    /// An interface as `tcpdump -D` lists it.
    public struct Device: Sendable {
        public let name: String
        public let description: String?
        /// tcpdump's words for the interface's state: Up, Running, Wireless, Loopback, Connected, ...
        public let flags: [String]
    }

    /// The interfaces libpcap can capture on, in its order (pcap_findalldevs), which is tcpdump -D's numbering.
    public static func interfaces() throws -> [Device] {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        var list: UnsafeMutablePointer<pcap_if_t>?
        guard pcap_findalldevs(&list, &errorBuffer) == 0 else {
            throw CaptureError.setupFailed(interface: "(list)", message: errorText(errorBuffer))
        }
        defer { pcap_freealldevs(list) }
        var devices: [Device] = []
        var node = list
        while let current = node {
            let raw = current.pointee.flags
            var flags: [String] = []
            if raw & UInt32(PCAP_IF_UP) != 0 { flags.append("Up") }
            if raw & UInt32(PCAP_IF_RUNNING) != 0 { flags.append("Running") }
            if raw & UInt32(PCAP_IF_WIRELESS) != 0 { flags.append("Wireless") }
            if raw & UInt32(PCAP_IF_LOOPBACK) != 0 { flags.append("Loopback") }
            // As tcpdump words the connection status (only for interfaces that have one).
            if raw & UInt32(PCAP_IF_LOOPBACK) == 0 {
                switch raw & UInt32(PCAP_IF_CONNECTION_STATUS) {
                case UInt32(PCAP_IF_CONNECTION_STATUS_CONNECTED): flags.append("Connected")
                case UInt32(PCAP_IF_CONNECTION_STATUS_DISCONNECTED): flags.append("Disconnected")
                default: break
                }
            }
            devices.append(Device(name: String(cString: current.pointee.name),
                                  description: current.pointee.description.map { String(cString: $0) }, flags: flags))
            node = current.pointee.next
        }
        return devices
    }

    /// Names of the interfaces libpcap can capture on (pcap_findalldevs).
    public static func interfaceNames() throws -> [String] {
        try interfaces().map(\.name)
    }
}

/// Carries the batch's handler into libpcap's C callback.
private final class DispatchContext {
    var handler: ((UnsafeRawBufferPointer, Int, Timestamp) -> Void)?
    /// Whether the handle stamps in nanoseconds (`tv_usec` then holds nanoseconds), and the nanoseconds past
    /// the microsecond of the frame being handed over.
    var nanoseconds = false
    var subMicroseconds: UInt16 = 0
}

/// The NUL-terminated text libpcap wrote into an error buffer.
private func errorText(_ buffer: [CChar]) -> String {
    buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
