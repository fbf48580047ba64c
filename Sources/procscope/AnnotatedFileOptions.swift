import ArgumentParser

/// `-w OUT.pcapng [-C MB] [-G SECONDS] [-W COUNT] [--process-blocks]`: the annotated capture file, for every
/// capturing command (capture, audit, top), rotated as tcpdump rotates its files.
struct AnnotatedFileOptions: ParsableArguments {
    @Option(name: [.customShort("w"), .customLong("write")], help: ArgumentHelp("Also write every packet to this pcapng file, with a comment naming its owner (tshark and Wireshark show it) and the process table, so that 'capture -r' on it gives the same report.", valueName: "file"))
    var writeFile: OutputTarget?

    @Option(name: [.customShort("C"), .customLong("file-size")], help: ArgumentHelp("With -w, start a new file (OUT1, OUT2, ...) once the current one has passed this many megabytes.", valueName: "MB"))
    var fileSize: Int?

    @Option(name: [.customShort("G"), .customLong("rotate-seconds")], help: ArgumentHelp("With -w, start a new file every this many seconds (at the first packet after), named by OUT as a strftime format, e.g. -w 'trace-%H%M%S.pcapng'.", valueName: "seconds"))
    var rotateSeconds: Int?

    @Option(name: [.customShort("W"), .customLong("file-count")], help: ArgumentHelp("With -C, keep at most this many files, reusing the first after the last (OUT0, OUT1, ...); with -G alone, stop after this many files.", valueName: "count"))
    var fileCount: Int?

    @Flag(name: .customLong("process-blocks"), help: ArgumentHelp("With -w, also describe each process (name, path, command line, parent, user, start) in Wireshark's process information block, before its first packet. Wireshark's development branch shows them with each packet's process id; older Wireshark and tshark list each block as a frame of its own, shifting frame numbers."))
    var processBlocks = false

    /// The -w file when further files are started as the capture runs (-C, -G), for -Z's check.
    var rotatingFile: OutputTarget? { fileSize != nil || rotateSeconds != nil ? writeFile : nil }

    func validate() throws {
        if processBlocks, writeFile == nil {
            throw ValidationError("--process-blocks goes with -w.")
        }
        if let fileSize, fileSize < 1 || writeFile == nil {
            throw ValidationError("-C takes a size of at least 1 MB and goes with -w.")
        }
        if let rotateSeconds, rotateSeconds < 1 || writeFile == nil || writeFile?.isStandardOutput == true {
            throw ValidationError("-G takes at least 1 second and goes with -w FILE (not standard output).")
        }
        if let fileCount, fileCount < 1 || (fileSize == nil && rotateSeconds == nil) {
            throw ValidationError("-W takes a count of at least 1 and goes with -C or -G.")
        }
    }
}
