/// The JSON export, schema `procscope/1` (shared/DESIGN.md, a contract: change it only with a version bump).
extension CaptureReport {
    public static let schema = "procscope/1"

    public var json: JSONValue {
        .object([
            "schema": .string(Self.schema),
            "capture": capture.json,
            "processes": .array(processes.map(\.json)),
            "unknown": unknown.json,
        ])
    }
}

extension CaptureReport.CaptureInfo {
    var json: JSONValue {
        .object([
            "interfaces": .array(interfaces.map(JSONValue.string)),
            "filter": .optional(filter),
            "started": .string(started.rfc3339),
            "ended": .string(ended.rfc3339),
            "packets": .uint(packets),
            "bytes": .uint(bytes),
            "dropped": .object(["kernel": .uint(droppedByKernel), "interface": .uint(droppedByInterface)]),
            "undecodable": .uint(undecodable),
            "duplicates": .uint(duplicates),
        ])
    }
}

extension TrafficCounter {
    var json: JSONValue { .object(["packets": .uint(packets), "bytes": .uint(bytes)]) }
}

extension Endpoint {
    func json(hasPorts: Bool) -> JSONValue {
        .object(["address": .string(address.description), "port": hasPorts ? .uint(UInt64(port)) : .null])
    }
}

extension CaptureReport.ConversationEntry {
    var json: JSONValue {
        var members: [String: JSONValue] = [
            "protocol": .string(key.proto.description),
            "local": key.local.json(hasPorts: key.hasPorts),
            "remote": key.remote.json(hasPorts: key.hasPorts),
            "first_seen": .string(firstSeen.rfc3339),
            "last_seen": .string(lastSeen.rfc3339),
            "tx": tx.json,
            "rx": rx.json,
            "attribution": .object([
                "method": .optional(method?.rawValue),
                "inode": inode.map { .uint(UInt64($0)) } ?? .null,
                "latency_us": latencyMicros.map { .uint(UInt64($0)) } ?? .null,
            ]),
        ]
        if key.proto == .tcp { members["tcp_flags"] = .array(tcpFlags.names.map(JSONValue.string)) }
        if let reason { members["reason"] = .string(reason.rawValue) }
        if let detail { members["detail"] = .string(detail) }
        return .object(members)
    }
}

extension CaptureReport.ProcessEntry {
    var json: JSONValue {
        .object([
            "pid": .int(Int64(identity.pid)),
            "start_time": .string(identity.startTime.rfc3339),
            "name": .string(identity.name),
            "exe": .optional(identity.executable),
            "cmdline": .array(identity.commandLine.map(JSONValue.string)),
            "uid": .uint(UInt64(identity.uid)),
            "user": .optional(identity.userName),
            "netns": .uint(identity.networkNamespace),
            "container": .optional(identity.container),
            "tx": tx.json,
            "rx": rx.json,
            "conversations": .array(conversations.map(\.json)),
        ])
    }
}

extension CaptureReport.UnknownEntry {
    var json: JSONValue {
        .object([
            "tx": tx.json,
            "rx": rx.json,
            "reasons": .object(Dictionary(uniqueKeysWithValues: reasons.map { ($0.key.rawValue, $0.value.json) })),
            "conversations": .array(conversations.map(\.json)),
        ])
    }
}
