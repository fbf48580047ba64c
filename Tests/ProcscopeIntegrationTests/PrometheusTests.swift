import Foundation
import Testing

/// procscope as a Prometheus target: a real Prometheus server, started by the test in the test's namespace,
/// scrapes `--metrics-listen` every second while processes the test started talk; what Prometheus then
/// answers must be what procscope's own JSON says, in series no PID ever labels.
extension IntegrationTests {
@Suite struct PrometheusTests {
    /// Runs a command in the namespace and returns its standard output.
    func output(_ namespace: TestNamespace, _ command: [String]) throws -> String {
        try Shell.run(namespace.commandPrefix + command)
    }

    /// An instant query through Prometheus's HTTP API: each result's labels and value.
    func query(_ namespace: TestNamespace, _ expression: String) throws -> [(labels: [String: String], value: Double)] {
        let text = try output(namespace, ["curl", "-sf", "http://127.0.0.1:9391/api/v1/query",
                                          "--data-urlencode", "query=\(expression)"])
        let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        let results = (root["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        return results.map { result in
            let labels = result["metric"] as? [String: String] ?? [:]
            let value = (result["value"] as? [Any])?.last as? String
            return (labels, value.flatMap(Double.init) ?? .nan)
        }
    }

    @Test("A real Prometheus scraping --metrics-listen gets the programs' bytes as procscope's JSON counts them, and no pid label")
    func prometheusScrapesPerProgramTraffic() throws {
        guard (try? Shell.run(["sh", "-c", "command -v prometheus promtool"])) != nil else {
            Issue.record("prometheus and promtool are not on PATH (Scripts/test.sh adds what Scripts/install-deps.sh unpacks)")
            return
        }
        let namespace = try TestNamespace("prom")
        defer { namespace.tearDown() }
        let directory = NSTemporaryDirectory() + "procscope-prometheus-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        global:
          scrape_interval: 1s
          scrape_timeout: 900ms
        scrape_configs:
          - job_name: procscope
            static_configs:
              - targets: ['127.0.0.1:9464']
        """.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        let textFile = directory + "/procscope.prom"
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "--metrics-listen", "127.0.0.1:9464",
                                                                  "--metrics-textfile", textFile, "tcp", "port", "5350"])
        let prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        prometheus.arguments = namespace.commandPrefix + ["prometheus", "--config.file=\(directory)/prometheus.yml",
                                                          "--storage.tsdb.path=\(directory)/data",
                                                          "--web.listen-address=127.0.0.1:9391"]
        prometheus.standardOutput = FileHandle.nullDevice
        prometheus.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try prometheus.run()
        defer {
            prometheus.terminate()
            prometheus.waitUntilExit()
        }
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? output(namespace, ["curl", "-sf", "http://127.0.0.1:9391/-/ready"])) != nil
            if !ready { usleep(200_000) }
        }
        #expect(ready, "Prometheus answered /-/ready")

        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5350", "30"])
        defer { server.stop() }
        for bytes in ["100000", "250000", "40000"] {
            let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5350", bytes, "20"])
            client.wait()
        }
        // Scraped once the traffic settled: the same figure twice in a row, 1.5 s (more than a scrape) apart.
        let sent = #"sum(procscope_process_transmit_bytes_total{program="procscope-testpeer"})"#
        var scraped = -1.0, previous = -2.0
        for _ in 0..<20 where scraped != previous || scraped <= 0 {
            usleep(1_500_000)
            previous = scraped
            scraped = try query(namespace, sent).first?.value ?? -1
        }
        let received = try query(namespace, #"sum(procscope_process_receive_bytes_total{program="procscope-testpeer"})"#)
            .first?.value ?? -1
        let series = try query(namespace, #"{__name__=~"procscope_.+"}"#)
        let latency = try query(namespace, "procscope_attribution_latency_seconds_count").first?.value ?? -1
        let report = try capture.stop()

        let peers = report.processes.filter { $0.exe?.hasSuffix("/procscope-testpeer") == true }
        let counted = (tx: peers.flatMap(\.conversations).reduce(0) { $0 + $1.txBytes },
                       rx: peers.flatMap(\.conversations).reduce(0) { $0 + $1.rxBytes })
        print("Prometheus: procscope-testpeer sent \(Int(scraped)) and received \(Int(received)) bytes; procscope's "
              + "JSON: \(counted.tx) and \(counted.rx); \(series.count) series; \(Int(latency)) attributions timed")
        #expect(peers.count == 4, "the server and three clients; \(report.whoAndWhy)")
        #expect(counted.tx > 390_000, "\(report.whoAndWhy)")
        #expect(abs(scraped - Double(counted.tx)) <= Double(counted.tx) / 100, "transmitted bytes within 1%")
        #expect(abs(received - Double(counted.rx)) <= Double(counted.rx) / 100, "received bytes within 1%")
        #expect(latency >= 4, "each new flow's wait for its owner is in the histogram")
        let forbidden: Set<String> = ["pid", "port", "address", "cmdline", "inode"]
        #expect(!series.isEmpty && series.allSatisfy { forbidden.isDisjoint(with: $0.labels.keys) },
                "no series is labelled by pid, port, address, cmdline or inode")
        // The text file, written whole at the end, says the same as the JSON, exactly.
        let file = try String(contentsOfFile: textFile, encoding: .utf8)
        #expect(file.contains(#"procscope_process_transmit_bytes_total{program="procscope-testpeer",user="root"} \#(counted.tx)"#))
        #expect(try Shell.outcome(["sh", "-c", "promtool check metrics < '\(textFile)'"]).status == 0,
                "promtool accepts the text file")
    }

    @Test("A --metrics-listen port already in use is refused before capturing, saying so, with status 1")
    func portInUseIsRefused() throws {
        let namespace = try TestNamespace("promport")
        defer { namespace.tearDown() }
        let holder = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "9465", "10"])
        defer { holder.stop() }
        let run = try Shell.outcome(namespace.commandPrefix + [Shell.binaryDirectory + "/procscope", "capture", "-i", "lo",
                                                               "--duration", "1", "--metrics-listen", "127.0.0.1:9465"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot serve metrics on 127.0.0.1:9465: the port is in use"), "\(run.stderr)")
        #expect(!run.stderr.contains("listening on"), "refused before the capture started")
        let bad = try Shell.outcome([Shell.binaryDirectory + "/procscope", "capture", "--metrics-listen", "9464"])
        #expect(bad.status == 64 && bad.stderr.contains("--metrics-listen"), "\(bad.stderr)")
    }
}
}
