@testable import ProcscopeCore

/// Builds raw IPv4/IPv6 frames (LinkType.raw) for session tests.
enum FrameBuilder {
    static func ipv4(_ source: UInt32, _ destination: UInt32, proto: UInt8, sourcePort: UInt16, destinationPort: UInt16,
                     flags: UInt8 = 0x10, payload: Int = 0) -> [UInt8] {
        let transport: [UInt8] = proto == 6
            ? be16(sourcePort) + be16(destinationPort) + [UInt8](repeating: 0, count: 9) + [flags] + [UInt8](repeating: 0, count: 6)
            : be16(sourcePort) + be16(destinationPort) + be16(UInt16(8 + payload)) + [0, 0]
        let total = 20 + transport.count + payload
        return [0x45, 0] + be16(UInt16(total)) + [0, 1, 0, 0, 64, proto, 0, 0] + be32(source) + be32(destination)
            + transport + [UInt8](repeating: 0x61, count: payload)
    }

    /// An ICMP echo request (type 8) or reply (type 0) with identifier `id` and 56 bytes of data.
    static func echo(_ source: UInt32, _ destination: UInt32, request: Bool, id: UInt16) -> [UInt8] {
        let icmp: [UInt8] = [request ? 8 : 0, 0, 0, 0] + be16(id) + [0, 1] + [UInt8](repeating: 0x70, count: 56)
        return [0x45, 0] + be16(UInt16(20 + icmp.count)) + [0, 1, 0, 0, 64, 1, 0, 0] + be32(source) + be32(destination) + icmp
    }

    /// An ICMP error of `type`/`code` from `source` to `destination`, quoting `original` (its first 28 bytes).
    static func icmpError(_ source: UInt32, _ destination: UInt32, type: UInt8, code: UInt8, quoting original: [UInt8]) -> [UInt8] {
        let icmp: [UInt8] = [type, code, 0, 0, 0, 0, 0, 0] + original.prefix(28)
        return [0x45, 0] + be16(UInt16(20 + icmp.count)) + [0, 1, 0, 0, 64, 1, 0, 0] + be32(source) + be32(destination) + icmp
    }

    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
}

/// An attributor that records requests and answers none (the test answers through `CaptureSession.apply`).
final class RecordingAttributor: Attributor {
    var requests: [AttributionRequest] = []
    func request(_ request: AttributionRequest) -> AttributionResult? {
        requests.append(request)
        return nil
    }
}

extension CaptureSession {
    func ingest(_ frame: [UInt8], at micros: Int64) {
        frame.withUnsafeBytes { ingest($0, wireLength: frame.count, at: Timestamp(microseconds: micros)) }
    }
}

func identity(_ pid: Int32, _ name: String = "peer") -> ProcessIdentity {
    ProcessIdentity(pid: pid, startTime: Timestamp(microseconds: Int64(pid) * 1000), name: name, executable: "/bin/\(name)",
                    commandLine: [name], uid: 0, userName: "root", networkNamespace: 1, cgroup: nil)
}

/// A session on a host owning 198.18.0.1 that folds ended conversations away, as a long run without a JSON
/// document does.
func retiringSession(_ attributor: RecordingAttributor) -> CaptureSession {
    let local = LocalAddressSet([IPAddress(ipv4: 0xC612_0001)])
    let session = CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: local),
                                 attributor: attributor)
    session.retiresEndedConversations()
    return session
}
