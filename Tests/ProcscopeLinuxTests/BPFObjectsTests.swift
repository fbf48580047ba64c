import Foundation
import Testing

/// The eBPF objects committed in `bpf_objects.c` are what `Scripts/make-bpf.sh` compiles from the C sources
/// in `CProcscopeLinux/bpf/`: nobody can change a program's C without regenerating the bytes procscope loads.
/// Compilers emit different bytes from one release to the next, so the check runs with the clang named in
/// the generated file (the Swift toolchain's, which builds procscope itself).
@Suite struct BPFObjectsTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let generated = repository.appendingPathComponent("Sources/CProcscopeLinux/bpf_objects.c")

    /// A clang on this machine whose `--version` is the one that generated the committed objects.
    static let sameClang: String? = {
        guard let text = try? String(contentsOf: generated, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("// Compiler: ") }) else { return nil }
        let wanted = line.dropFirst("// Compiler: ".count)
        for clang in ["/opt/swift/usr/bin/clang", "/usr/bin/clang"] where FileManager.default.isExecutableFile(atPath: clang) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: clang)
            process.arguments = ["--version"]
            let output = Pipe()
            process.standardOutput = output
            guard (try? process.run()) != nil else { continue }
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            if String(decoding: data, as: UTF8.self).split(separator: "\n").first == wanted { return clang }
        }
        return nil
    }()

    @Test(.enabled(if: sameClang != nil && FileManager.default.fileExists(atPath: "/usr/include/bpf/bpf_helpers.h"),
                   "needs the clang named in bpf_objects.c and libbpf-dev"))
    func committedObjectsAreWhatTheSourcesCompileTo() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bpf_objects-\(getpid()).c")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.repository.appendingPathComponent("Scripts/make-bpf.sh").path, output.path]
        process.environment = ProcessInfo.processInfo.environment.merging(["BPF_CLANG": try #require(Self.sameClang)]) { $1 }
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let regenerated = try Data(contentsOf: output)
        let committed = try Data(contentsOf: Self.generated)
        #expect(regenerated == committed, "bpf_objects.c is stale: run Scripts/make-bpf.sh and commit it")
    }
}
