/// The JSON export, schema `procscope/1` (shared/DESIGN.md, a contract: change it only with a version bump).
/// Members are written in sorted order, so the output is reproducible byte for byte.
extension CaptureReport {
    public static let schema = "procscope/1"

    /// The whole export as UTF-8 bytes, ending with a newline.
    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 4096 + 400 * (processes.reduce(0) { $0 + $1.conversations.count } + unknown.conversations.count))
        write(to: &writer)
        var bytes = writer.bytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// The export written as it is produced, in pieces handed to `sink` (a file, standard output): memory
    /// holds the report, not its text. The same bytes as `json`.
    public func writeJSON(to sink: @escaping ([UInt8]) throws -> Void) throws {
        var writer = JSONWriter(to: sink)
        write(to: &writer)
        writer.raw("\n")
        try writer.finish()
    }

    public func write(to writer: inout JSONWriter) {
        writer.object { w in
            w.key("capture"); capture.write(to: &w)
            w.key("processes"); w.array { w in for process in processes { process.write(to: &w) } }
            w.key("schema"); w.string(Self.schema)
            w.key("unknown"); unknown.write(to: &w)
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

extension TrafficCounter {
    func write(to writer: inout JSONWriter) {
        writer.object { w in
            w.key("bytes"); w.number(bytes)
            w.key("packets"); w.number(packets)
        }
    }
}

extension Endpoint {
    func write(to writer: inout JSONWriter, hasPorts: Bool) {
        writer.object { w in
            w.key("address"); w.address(address)
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
            w.key("id"); w.string(stableID)
            w.key("last_seen"); w.timestamp(lastSeen)
            w.key("local"); key.local.write(to: &w, hasPorts: key.hasPorts)
            w.key("protocol"); w.string(key.proto.description)
            if let reason { w.key("reason"); w.string(reason.rawValue) }
            w.key("remote"); key.remote.write(to: &w, hasPorts: key.hasPorts)
            w.key("rx"); rx.write(to: &w)
            if key.proto == .tcp { w.key("tcp_flags"); w.array { w in for name in tcpFlags.names { w.string(name) } } }
            w.key("tx"); tx.write(to: &w)
        }
    }
}

extension CaptureReport.ProcessEntry {
    func write(to writer: inout JSONWriter) {
        writer.object { w in
            w.key("cmdline"); w.array { w in for argument in identity.commandLine { w.string(argument) } }
            w.key("container"); w.string(identity.container)
            w.key("conversations"); w.array { w in for conversation in conversations { conversation.write(to: &w) } }
            w.key("exe"); w.string(identity.executable)
            w.key("name"); w.string(identity.name)
            w.key("netns"); w.number(identity.networkNamespace)
            w.key("pid"); w.number(Int64(identity.pid))
            w.key("rx"); rx.write(to: &w)
            w.key("start_time"); w.timestamp(identity.startTime)
            w.key("tx"); tx.write(to: &w)
            w.key("uid"); w.number(UInt64(identity.uid))
            w.key("user"); w.string(identity.userName)
        }
    }
}

extension CaptureReport.UnknownEntry {
    func write(to writer: inout JSONWriter) {
        writer.object { w in
            w.key("conversations"); w.array { w in for conversation in conversations { conversation.write(to: &w) } }
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
