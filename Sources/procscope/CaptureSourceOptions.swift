import ArgumentParser

/// Where frames come from and which ones: shared by every capturing command, tcpdump-style.
struct CaptureSourceOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Interface to capture on ('any' for all).")
    var interface: String?

    @Option(name: [.customShort("r"), .customLong("read")], help: "Read frames from a pcap or pcapng file instead ('-' for stdin).")
    var readFile: String?

    @Option(name: [.customShort("c"), .customLong("count")], help: "Stop after this many packets.")
    var count: UInt64?

    @Option(name: .long, help: "Stop after this many seconds.")
    var duration: Double?

    @Option(name: [.customShort("s"), .customLong("snapshot-length")], help: "Bytes kept of each frame (headers are enough).")
    var snapLength: Int = 256

    @Option(name: [.customShort("B"), .customLong("buffer-size")], help: "Kernel capture buffer in KiB.")
    var bufferKiB: Int = 65536

    @Argument(help: ArgumentHelp("A pcap-filter expression (see 'man pcap-filter'), e.g. 'tcp port 443'.", valueName: "filter"))
    var filterWords: [String] = []

    var filter: String? { filterWords.isEmpty ? nil : filterWords.joined(separator: " ") }

    func validate() throws {
        if interface != nil && readFile != nil {
            throw ValidationError("-i and -r exclude each other: capture live or read a file.")
        }
        if let count, count == 0 { throw ValidationError("-c must be at least 1.") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds.") }
        if snapLength < 64 || snapLength > 262_144 {
            throw ValidationError("-s must be between 64 and 262144 bytes (the headers need at least 64).")
        }
        if bufferKiB < 256 { throw ValidationError("-B must be at least 256 KiB.") }
    }
}
