import ArgumentParser
import Foundation
import ProcscopeCore
import ProcscopeLinux

extension CaptureDirection: ExpressibleByArgument {}
extension TimestampPrecision: ExpressibleByArgument {}

/// Where frames come from and which ones: shared by every capturing command, tcpdump-style.
struct CaptureSourceOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Interface to capture on ('any' for all), or its number in the -D list; several -i capture several interfaces.")
    var interface: [String] = []

    @Flag(name: [.customShort("D"), .customLong("list-interfaces")], help: "List the interfaces capture can use, numbered as tcpdump -D numbers them, and exit.")
    var listInterfaces = false

    @Option(name: [.customShort("r"), .customLong("read")], help: "Read frames from a pcap or pcapng file instead ('-' for stdin).")
    var readFile: String?

    @Option(name: [.customShort("c"), .customLong("count")], help: "Stop after this many packets.")
    var count: UInt64?

    @Option(name: .long, help: "Stop after this many seconds.")
    var duration: Double?

    @Option(name: [.customShort("s"), .customLong("snapshot-length")], help: "Bytes kept of each frame (headers are enough; 0: 262144, as tcpdump).")
    var snapLength: Int = 256

    @Flag(name: .customShort("n"), help: "Accepted as tcpdump takes it (also -nn): procscope prints addresses and ports as numbers and never resolves them.")
    var numeric: Int

    @Flag(name: .customShort("p"), help: "Accepted as tcpdump takes it: procscope never puts the interface in promiscuous mode (frames for other hosts are no local process's).")
    var notPromiscuous = false

    @Option(name: [.customShort("Q"), .customLong("direction")], help: ArgumentHelp("Keep only frames received (in), sent (out), or both (inout), as tcpdump -Q. Live capture only.", valueName: "in|out|inout"))
    var direction: CaptureDirection = .inout

    @Option(name: .customLong("time-stamp-precision"), help: ArgumentHelp("Stamp live frames in microseconds or nanoseconds, as tcpdump --time-stamp-precision: -w files then say nanoseconds (if_tsresol 9) and audit lines print nine digits.", valueName: "micro|nano"))
    var timeStampPrecision: TimestampPrecision = .micro

    @Flag(name: .customLong("nano"), help: "The same as --time-stamp-precision nano.")
    var nano = false

    /// The stamps' precision asked for (--nano or --time-stamp-precision).
    var precision: TimestampPrecision { nano ? .nano : timeStampPrecision }

    @Flag(name: .customLong("resolve"), help: "Also name remote addresses through the system resolver (reverse lookups, on a thread of their own; a live capture only). Without it procscope sends no query: names come only from the DNS answers it captures.")
    var resolve = false

    @Option(name: [.customShort("Z"), .customLong("relinquish-privileges")], help: ArgumentHelp("Once the capture is open and the first pass over /proc is done (at most 5 s), carry on as this user, as tcpdump -Z, keeping only cap_net_raw: other users' sockets are then found only through the kernel's socket records, and new network namespaces are not entered.", valueName: "user"))
    var dropUser: String?

    @Option(name: [.customShort("B"), .customLong("buffer-size")], help: "Kernel capture buffer in KiB.")
    var bufferKiB: Int = 65536

    @Option(name: .long, help: ArgumentHelp("Live conversations kept at most; past it new flows are <Unknown> flow-table-full (about 170 bytes each).", valueName: "count"))
    var maxFlows: Int = 1 << 20

    @Option(name: .customShort("F"), help: ArgumentHelp("Read the filter expression from this file ('#' starts a comment), as tcpdump -F.", valueName: "file"))
    var filterFile: String?

    @Argument(help: ArgumentHelp("A pcap-filter expression (see 'man pcap-filter'), e.g. 'tcp port 443'.", valueName: "filter"))
    var filterWords: [String] = []

    /// The filter: the words after the options, or the text of -F's file without its comments.
    var filter: String? {
        if let filterFile, let text = try? String(contentsOfFile: filterFile, encoding: .utf8) {
            let expression = Self.withoutComments(text)
            return expression.isEmpty ? nil : expression
        }
        return filterWords.isEmpty ? nil : filterWords.joined(separator: " ")
    }

    /// The snapshot length asked for: 0 means the largest, as in tcpdump.
    var effectiveSnapLength: Int { snapLength == 0 ? 262_144 : snapLength }

    /// A filter file's text with '#' comments blanked to their line's end and lines joined, as tcpdump reads it.
    static func withoutComments(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
            .joined(separator: " ")
            .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            .joined(separator: " ")
    }

    func validate() throws {
        if !interface.isEmpty && readFile != nil {
            throw ValidationError("-i and -r exclude each other: capture live or read a file.")
        }
        if let count, count == 0 { throw ValidationError("-c must be at least 1.") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds.") }
        if snapLength != 0 && (snapLength < 64 || snapLength > 262_144) {
            throw ValidationError("-s must be 0 (262144) or between 64 and 262144 bytes (the headers need at least 64).")
        }
        if let filterFile {
            if !filterWords.isEmpty {
                throw ValidationError("-F reads the filter from \(filterFile): give no filter words after the options as well.")
            }
            guard FileManager.default.isReadableFile(atPath: filterFile) else {
                throw ValidationError("-F: cannot read the filter file \(filterFile).")
            }
        }
        if direction != .inout && readFile != nil {
            throw ValidationError("-Q chooses which way frames cross a live interface: a file (-r) keeps no such direction.")
        }
        if precision == .nano && readFile != nil {
            throw ValidationError("--nano and --time-stamp-precision stamp live frames: procscope reads files (-r) to the microsecond.")
        }
        if resolve && readFile != nil {
            throw ValidationError("--resolve looks names up while capturing live; a file (-r) is named from the DNS answers it holds.")
        }
        if dropUser != nil && readFile != nil {
            throw ValidationError("-Z gives up the privileges of a live capture: reading a file (-r) needs none.")
        }
        if bufferKiB < 256 { throw ValidationError("-B must be at least 256 KiB.") }
        if maxFlows < 1 || maxFlows > 1 << 30 { throw ValidationError("--max-flows must be between 1 and 1073741824.") }
    }
}
