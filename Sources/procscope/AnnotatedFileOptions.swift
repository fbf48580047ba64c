import ArgumentParser

/// `-w OUT.pcapng [-C MB]`: the annotated capture file, for every capturing command (capture, audit, top).
struct AnnotatedFileOptions: ParsableArguments {
    @Option(name: [.customShort("w"), .customLong("write")], help: ArgumentHelp("Also write every packet to this pcapng file, with a comment naming its owner (tshark and Wireshark show it) and the process table, so that 'capture -r' on it gives the same report.", valueName: "file"))
    var writeFile: OutputTarget?

    @Option(name: [.customShort("C"), .customLong("file-size")], help: ArgumentHelp("With -w, start a new file (OUT1, OUT2, ...) once the current one has passed this many megabytes.", valueName: "MB"))
    var fileSize: Int?

    func validate() throws {
        if let fileSize, fileSize < 1 || writeFile == nil {
            throw ValidationError("-C takes a size of at least 1 MB and goes with -w.")
        }
    }
}
