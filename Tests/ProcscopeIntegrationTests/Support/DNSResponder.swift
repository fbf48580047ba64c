import Foundation

/// A real DNS server for a test's namespace: dnsmasq on 127.0.0.1:53 there, named in the namespace's
/// resolv.conf (`ip netns exec` bind-mounts /etc/netns/NAME/resolv.conf over /etc/resolv.conf), answering
/// for the names `records` give (dnsmasq options such as `--address=/NAME/ADDR`). `stop` ends dnsmasq by the
/// PID it wrote and removes the files it made.
final class DNSResponder {
    private let directory: String
    private let madeNetns: Bool
    private let pidFile: String

    /// `resolverOptions`: the resolv.conf `options` line (`use-vc` asks over TCP).
    init(in namespace: TestNamespace, records: [String], resolverOptions: String = "attempts:1 timeout:2") throws {
        directory = "/etc/netns/\(namespace.name)"
        madeNetns = !FileManager.default.fileExists(atPath: "/etc/netns")
        pidFile = NSTemporaryDirectory() + "procscope-dnsmasq-\(getpid())-\(namespace.name).pid"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "nameserver 127.0.0.1\noptions \(resolverOptions)\n".write(toFile: directory + "/resolv.conf", atomically: true,
                                                                      encoding: .utf8)
        // As a daemon: its launcher exits once it listens.
        try Shell.run(["sh", "-c", (namespace.commandPrefix + [
            "dnsmasq", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--listen-address=127.0.0.1",
            "--bind-interfaces", "--port=53", "--pid-file=\(pidFile)",
        ] + records).joined(separator: " ") + " >/dev/null 2>&1"])
    }

    func stop() {
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
           let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 {
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: pidFile)
        try? FileManager.default.removeItem(atPath: directory)
        if madeNetns { rmdir("/etc/netns") }
    }
}
