import Glibc

/// libFuzzer's entry point for every procscope fuzz target: one instrumented binary, the target chosen by
/// PROCSCOPE_FUZZ_TARGET (`Scripts/fuzz.sh` sets it), so the slow instrumented build happens once.
///
/// Built by `Scripts/fuzz.sh` with the core's sources and the Linux parsers compiled into one module, so
/// their `import ProcscopeCore` lines are ignored (the compiler warns) and internal parsers are reachable.
/// A target must never trap on any input: libFuzzer reports a trap, an address-sanitizer error, a leak or a
/// timeout as a crash and saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    switch FuzzTarget.selected {
    case .frameDecoder: FrameDecoderTarget.run(bytes)
    case .captureFile: CaptureFileTarget.run(bytes)
    case .netlink: NetlinkTarget.run(bytes)
    case .procTables: ProcTablesTarget.run(bytes)
    case .metricsRequest: MetricsRequestTarget.run(bytes)
    }
    return 0
}

enum FuzzTarget: String, CaseIterable {
    case frameDecoder = "frame-decoder"
    case captureFile = "capture-file"
    case netlink = "netlink"
    case procTables = "proc-tables"
    case metricsRequest = "metrics-request"

    static let selected: FuzzTarget = {
        let name = getenv("PROCSCOPE_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            fputs("set PROCSCOPE_FUZZ_TARGET to one of: \(names)\n", stderr)
            exit(2)
        }
        return target
    }()
}
