/// The JSON export, schema `procscope/2` (shared/DESIGN.md, a contract: change it only with a version bump).
/// Members are written in sorted order, so the output is reproducible byte for byte.
extension CaptureReport {
    public static let schema = "procscope/2"

    /// The whole export as UTF-8 bytes, ending with a newline.
    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 4096 + 400 * (processes.reduce(0) { $0 + $1.conversations.count } + unknown.conversations.count))
        write(to: &writer)
        var bytes = writer.bytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// The export written as it is produced, in pieces handed to `sink` (a file, standard output): memory
    /// holds the report, not its text. The same bytes as `json`. With `jobs`, long conversation lists are
    /// rendered on several threads (`ConversationList.writeElements`).
    public func writeJSON(to sink: @escaping ([UInt8]) throws -> Void, jobs: ParallelJobs? = nil) throws {
        var writer = JSONWriter(to: sink)
        write(to: &writer, jobs: jobs)
        writer.raw("\n")
        try writer.finish()
    }

    public func write(to writer: inout JSONWriter, jobs: ParallelJobs? = nil) {
        writer.object { w in
            w.key("capture"); capture.write(to: &w)
            w.key("processes"); w.array { w in for process in processes { process.write(to: &w, jobs: jobs) } }
            w.key("schema"); w.string(Self.schema)
            w.key("unknown"); unknown.write(to: &w, jobs: jobs)
        }
    }
}

extension CaptureReport.CaptureInfo {
    func write(to writer: inout JSONWriter) {
        writer.object { w in
            w.key("bytes"); w.number(bytes)
            w.key("dropped"); w.object { w in
                w.key("interface"); w.number(droppedByInterface)
                w.key("kernel"); w.number(droppedByKernel)
            }
            w.key("duplicates"); w.number(duplicates)
            w.key("ended"); w.timestamp(ended)
            w.key("filter"); w.string(filter)
            w.key("interfaces"); w.array { w in for name in interfaces { w.string(name) } }
            w.key("packets"); w.number(packets)
            w.key("started"); w.timestamp(started)
            w.key("undecodable"); w.number(undecodable)
            w.key("warnings"); w.array { w in
                for warning in warnings {
                    w.object { w in
                        w.key("kind"); w.string(warning.kind)
                        w.key("message"); w.string(warning.message)
                    }
                }
            }
        }
    }
}

extension TCPFlags {
    /// The flags as an array of their names, tcpdump's order (the export's conversations and the audit log's
    /// packets), without making an array of strings.
    func write(to writer: inout JSONWriter) {
        writer.array { w in forEachName { w.string($0) } }
    }
}

extension TrafficCounter {
    func write(to writer: inout JSONWriter) {
        writer.object { w in
            w.key("bytes"); w.number(bytes)
            w.key("packets"); w.number(packets)
        }
    }
}

extension Endpoint {
    /// `name`: the remote end's name from the DNS answers captured, written only when known, and who asked
    /// for it (`name_asked_by`: pid and task name) when the capture saw the question.
    func write(to writer: inout JSONWriter, hasPorts: Bool, name: String? = nil, askedBy: CaptureReport.NameAsker? = nil) {
        writer.object { w in
            w.key("address"); w.address(address)
            if let name { w.key("name"); w.string(name) }
            if let askedBy {
                w.key("name_asked_by")
                w.object { w in
                    w.key("name"); w.string(askedBy.name)
                    w.key("pid"); w.number(Int64(askedBy.pid))
                }
            }
            w.key("port"); if hasPorts { w.number(UInt64(port)) } else { w.null() }
        }
    }
}

extension CaptureReport.ConversationEntry {
    func write(to writer: inout JSONWriter) {
        writer.object { w in
            w.key("attribution"); w.object { w in
                w.key("inode"); if let inode { w.number(UInt64(inode)) } else { w.null() }
                w.key("latency_us"); if let latencyMicros { w.number(UInt64(latencyMicros)) } else { w.null() }
                w.key("method"); w.string(method?.rawValue)
            }
            if let detail { w.key("detail"); w.string(detail) }
            w.key("first_seen"); w.timestamp(firstSeen)
            w.key("id"); w.hex(stableIDValue)
            w.key("last_seen"); w.timestamp(lastSeen)
            w.key("local"); key.local.write(to: &w, hasPorts: key.hasPorts)
            w.key("protocol"); w.string(key.proto.description)
            if let reason { w.key("reason"); w.string(reason.rawValue) }
            w.key("remote"); key.remote.write(to: &w, hasPorts: key.hasPorts, name: remoteName, askedBy: remoteNameAskedBy)
            w.key("rx"); rx.write(to: &w)
            if key.proto == .tcp { w.key("tcp_flags"); tcpFlags.write(to: &w) }
            w.key("tx"); tx.write(to: &w)
        }
    }
}

extension CaptureReport.ProcessEntry {
    func write(to writer: inout JSONWriter, jobs: ParallelJobs? = nil) {
        writer.object { w in
            identity.writeFields(to: &w, with: [
                ("conversations", { w in w.array { w in conversations.writeElements(to: &w, jobs: jobs) } }),
                ("rx", { w in rx.write(to: &w) }),
                ("tx", { w in tx.write(to: &w) }),
            ])
        }
    }
}

extension ProcessIdentity {
    /// The identity as an object of its own (the NDJSON lines' `owner`).
    func writeIdentity(to writer: inout JSONWriter) {
        writer.object { w in writeFields(to: &w, with: []) }
    }

    /// The identity's fields, with `extra` ones, in key order (the export's keys are sorted). Schema
    /// procscope/2: `container` became an object (runtime, id, names) and `cgroup` holds the path it was.
    /// `extra` comes in key order; each is written where it sorts among the identity's own. Written field by
    /// field: an array of sixteen closures sorted by their keys' text for every identity written was a tenth
    /// of the live loop's samples under connection churn with `--ndjson` (perf).
    func writeFields(to writer: inout JSONWriter, with extra: [(StaticString, (inout JSONWriter) -> Void)]) {
        assert(zip(extra, extra.dropFirst()).allSatisfy { Self.precedes($0.0, $1.0) }, "extra fields out of key order")
        var pending = extra[...]
        func field(_ key: StaticString, _ write: (inout JSONWriter) -> Void) {
            while let next = pending.first, Self.precedes(next.0, key) {
                writer.key(next.0)
                next.1(&writer)
                pending.removeFirst()
            }
            writer.key(key)
            write(&writer)
        }
        let workload = self.workload
        field("cgroup") { $0.string(cgroup) }
        field("cmdline") { w in w.array { w in for argument in commandLine { w.string(argument) } } }
        field("container") { w in
            guard let container = workload.container else { return w.null() }
            w.object { w in
                w.key("id"); w.string(container.id)
                w.key("name"); w.string(containerNames.container)
                w.key("namespace"); w.string(containerNames.namespace)
                w.key("pod"); w.string(containerNames.pod)
                w.key("pod_uid"); w.string(container.podUID)
                w.key("runtime"); w.string(container.runtime)
            }
        }
        field("exe") { $0.string(executable) }
        field("name") { $0.string(name) }
        field("netns") { $0.number(networkNamespace) }
        field("parent") { $0.string(parentName) }
        field("pid") { $0.number(Int64(pid)) }
        field("ppid") { w in if parentPID > 0 { w.number(Int64(parentPID)) } else { w.null() } }
        field("start_time") { $0.timestamp(startTime) }
        field("uid") { $0.number(UInt64(uid)) }
        field("unit") { $0.string(workload.unit) }
        field("user") { $0.string(userName) }
        for (key, write) in pending {
            writer.key(key)
            write(&writer)
        }
    }

    /// Whether key `a` sorts before key `b` (byte order, as the export's keys are sorted).
    static func precedes(_ a: StaticString, _ b: StaticString) -> Bool {
        a.withUTF8Buffer { a in b.withUTF8Buffer { b in a.lexicographicallyPrecedes(b) } }
    }
}

extension CaptureReport.UnknownEntry {
    func write(to writer: inout JSONWriter, jobs: ParallelJobs? = nil) {
        writer.object { w in
            w.key("conversations"); w.array { w in conversations.writeElements(to: &w, jobs: jobs) }
            w.key("reasons"); w.object { w in
                for (reason, counter) in reasons.sorted(by: { $0.key < $1.key }) {
                    w.key(dynamic: reason.rawValue)
                    counter.write(to: &w)
                }
            }
            w.key("rx"); rx.write(to: &w)
            w.key("tx"); tx.write(to: &w)
        }
    }
}
