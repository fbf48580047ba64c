/// The annotated capture file (`capture -w OUT.pcapng`): every packet, in capture order, as a pcapng
/// enhanced packet block whose comment names who sent or received it (`procscope: 123/curl > 456/nginx`,
/// or the unknown reason) and whose flags give its direction. Packets wait for their owner's lookup like
/// the audit listing's lines (`PacketHold`).
public final class AnnotatedCaptureWriter {
    private var hold = PacketHold()

    public init() {}

    /// The section header and the interface description the packets refer to (interface 0).
    public static func header(linkType: LinkType, snapLength: Int, interface: String) -> [UInt8] {
        PcapngWriter.sectionHeader(application: "procscope")
            + PcapngWriter.interface(linkType: linkType, snapLength: snapLength, name: interface)
    }

    public func append(_ record: PacketRecord) {
        hold.append(record)
    }

    /// Hands `write` the block of every packet that can be written now (all of them with `force`), one
    /// block per call, so that a rotating file can start a new file between two packets.
    public func drain(_ session: CaptureSession, now: Timestamp, force: Bool = false, _ write: ([UInt8]) -> Void) {
        hold.release(session, now: now, force: force) { record, owners in
            guard let bytes = record.bytes else { return }
            let direction: UInt32 = owners.count == 1 ? (owners[0].0.direction == .transmitted ? 2 : 1) : 0
            write(PcapngWriter.packet(interface: 0, time: record.time, bytes: bytes, wireLength: record.wireLength,
                                      direction: direction, comment: "procscope: " + record.ownersLabel(owners)))
        }
    }
}
