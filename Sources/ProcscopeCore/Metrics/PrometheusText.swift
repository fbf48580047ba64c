/// A `MetricsSnapshot` in the Prometheus text exposition format (version 0.0.4: what `/metrics` serves and
/// node_exporter's textfile collector reads), one HELP and TYPE line per family.
///
/// Names follow Prometheus's conventions: a `procscope_` prefix, base units (bytes, seconds), `_total` on
/// counters, and the standard `process_` family for procscope's own resources.
public enum PrometheusText {
    /// The Content-Type of this format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ snapshot: MetricsSnapshot) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ labels: [(String, String)] = [], _ value: String) {
            out += name
            if !labels.isEmpty {
                out += "{" + labels.map { "\($0.0)=\"\(escaped($0.1))\"" }.joined(separator: ",") + "}"
            }
            out += " \(value)\n"
        }
        family("procscope_build_info", "gauge", "procscope's version, as a label; always 1.")
        sample("procscope_build_info", [("version", snapshot.version)], "1")

        let programs: [(String, String, KeyPath<MetricsSnapshot.ProgramTraffic, TrafficCounter>, KeyPath<TrafficCounter, UInt64>)] = [
            ("procscope_process_transmit_bytes_total", "IP-layer bytes sent by the program's processes.", \.tx, \.bytes),
            ("procscope_process_receive_bytes_total", "IP-layer bytes received by the program's processes.", \.rx, \.bytes),
            ("procscope_process_transmit_packets_total", "Packets sent by the program's processes.", \.tx, \.packets),
            ("procscope_process_receive_packets_total", "Packets received by the program's processes.", \.rx, \.packets),
        ]
        for (name, help, direction, field) in programs {
            family(name, "counter", help + " Labelled by program and user only (never a PID or address).")
            for traffic in snapshot.programs {
                sample(name, [("program", traffic.key.program), ("user", traffic.key.user)],
                       String(traffic[keyPath: direction][keyPath: field]))
            }
        }
        family("procscope_folded_programs_total", "counter",
               "Programs counted under program=\"other\" because the series limit was reached.")
        sample("procscope_folded_programs_total", [], String(snapshot.foldedPrograms))

        for (name, field, unit) in [("procscope_unattributed_bytes_total", \TrafficCounter.bytes, "IP-layer bytes"),
                                    ("procscope_unattributed_packets_total", \TrafficCounter.packets, "Packets")] {
            family(name, "counter", "\(unit) tied to no process, by reason (the <Unknown> bucket) and direction.")
            for traffic in snapshot.unattributed {
                sample(name, [("reason", traffic.reason.rawValue), ("direction", "transmit")], String(traffic.tx[keyPath: field]))
                sample(name, [("reason", traffic.reason.rawValue), ("direction", "receive")], String(traffic.rx[keyPath: field]))
            }
        }

        family("procscope_capture_packets_total", "counter", "Frames captured.")
        sample("procscope_capture_packets_total", [], String(snapshot.packets))
        family("procscope_capture_bytes_total", "counter", "IP-layer bytes of the frames captured.")
        sample("procscope_capture_bytes_total", [], String(snapshot.bytes))
        family("procscope_capture_dropped_packets_total", "counter",
               "Frames lost before procscope saw them: by the kernel (buffer full) or by the interface.")
        sample("procscope_capture_dropped_packets_total", [("where", "kernel")], String(snapshot.droppedByKernel))
        sample("procscope_capture_dropped_packets_total", [("where", "interface")], String(snapshot.droppedByInterface))
        family("procscope_capture_undecodable_packets_total", "counter", "Frames that could not be decoded.")
        sample("procscope_capture_undecodable_packets_total", [], String(snapshot.undecodable))
        family("procscope_conversations", "gauge", "Conversations held now (live, or ended and not yet folded away).")
        sample("procscope_conversations", [], String(snapshot.liveConversations))
        family("procscope_pending_lookups", "gauge", "Conversations whose owner is still being looked up.")
        sample("procscope_pending_lookups", [], String(snapshot.pendingLookups))

        let latency = "procscope_attribution_latency_seconds"
        family(latency, "histogram", "Time from a new flow's first frame to its owner, for flows credited to a process.")
        var cumulative: UInt64 = 0
        for (index, bound) in LatencyHistogram.boundsMicros.enumerated() {
            cumulative &+= snapshot.latency.counts[index]
            sample(latency + "_bucket", [("le", seconds(micros: bound))], String(cumulative))
        }
        sample(latency + "_bucket", [("le", "+Inf")], String(snapshot.latency.count))
        sample(latency + "_sum", [], seconds(micros: snapshot.latency.sumMicros))
        sample(latency + "_count", [], String(snapshot.latency.count))

        if let resident = snapshot.residentBytes {
            family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
            sample("process_resident_memory_bytes", [], String(resident))
        }
        if let cpu = snapshot.cpuSeconds {
            family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.")
            sample("process_cpu_seconds_total", [], String(cpu))
        }
        if let start = snapshot.startTimeSeconds {
            family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.")
            sample("process_start_time_seconds", [], String(start))
        }
        return out
    }

    /// A label value as the format wants it: backslash, double quote and line feed escaped.
    static func escaped(_ value: String) -> String {
        // By scalar, not Character: "\r\n" is one Character and would hide its line feed.
        guard value.unicodeScalars.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\"": out.append(contentsOf: "\\\"".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whole microseconds as exact decimal seconds ("0.00025", "5").
    static func seconds(micros: UInt64) -> String {
        let whole = micros / 1_000_000, fraction = micros % 1_000_000
        guard fraction != 0 else { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 6 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
