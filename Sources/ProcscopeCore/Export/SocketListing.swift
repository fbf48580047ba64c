/// The ownership table as `procscope sockets` prints it: a text table for people and JSON
/// (schema `procscope-sockets/1`, keys sorted) for scripts. Sorted by namespace, kind, local endpoint and
/// inode, so two listings of the same machine compare line by line.
public struct SocketListing: Sendable {
    public var sockets: [SocketRecord]
    public static let schema = "procscope-sockets/1"

    public init(_ sockets: [SocketRecord]) {
        self.sockets = sockets.sorted { a, b in
            (a.namespace, a.kind, a.local?.port ?? 0, a.inode) < (b.namespace, b.kind, b.local?.port ?? 0, b.inode)
        }
    }

    public var text: String {
        let header = ["NETNS", "PROTO", "LOCAL", "REMOTE", "STATE", "UID", "INODE", "OWNERS"]
        let rows = sockets.map { socket -> [String] in
            let owners = socket.owners.isEmpty ? "-"
                : socket.owners.map { ConversationOwner.label(pid: $0.pid, name: $0.name) }.joined(separator: ",")
            return [String(socket.namespace), socket.kind, socket.local.map(Self.endpoint) ?? (socket.detail ?? "-"),
                    socket.remote.map(Self.endpoint) ?? "-", socket.state, String(socket.uid), String(socket.inode),
                    owners]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    static func endpoint(_ endpoint: Endpoint) -> String {
        endpoint.address.isIPv4 ? "\(endpoint.address):\(endpoint.port)" : "[\(endpoint.address)]:\(endpoint.port)"
    }

    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 256 * (sockets.count + 1))
        writer.object { w in
            w.key("schema"); w.string(Self.schema)
            w.key("sockets"); w.array { w in
                for socket in sockets {
                    w.object { w in
                        if let detail = socket.detail { w.key("detail"); w.string(detail) }
                        w.key("inode"); w.number(UInt64(socket.inode))
                        w.key("kind"); w.string(socket.kind)
                        w.key("local"); Self.write(socket.local, to: &w)
                        w.key("netns"); w.number(socket.namespace)
                        w.key("owners"); w.array { w in
                            for owner in socket.owners {
                                w.object { w in
                                    w.key("name"); w.string(owner.name)
                                    w.key("pid"); w.number(Int64(owner.pid))
                                }
                            }
                        }
                        w.key("remote"); Self.write(socket.remote, to: &w)
                        w.key("state"); w.string(socket.state)
                        w.key("uid"); w.number(UInt64(socket.uid))
                    }
                }
            }
        }
        var bytes = writer.bytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    static func write(_ endpoint: Endpoint?, to writer: inout JSONWriter) {
        guard let endpoint else { return writer.null() }
        writer.object { w in
            w.key("address"); w.string(endpoint.address.description)
            w.key("port"); w.number(UInt64(endpoint.port))
        }
    }
}
