/// Where procscope keeps its tables and per-packet annotations in a pcapng file: pcapng custom options
/// (draft-ietf-opsawg-pcapng, "Custom Options"), which carry a Private Enterprise Number so that readers can
/// tell whose they are. They ride on the enhanced packet blocks (a conversation's record on its first
/// packet) and on the interface statistics block at the end, never in blocks of their own: Wireshark and
/// tshark list custom blocks as frames, which would shift every frame number.
public enum ProcscopeBlock {
    /// IANA's documentation enterprise number (RFC 5612), until procscope has one registered; the section
    /// header's `shb_userappl` ("procscope") is checked as well before these are trusted, and each record
    /// must parse, so another tool's options under this number are ignored rather than misread. A registered
    /// number, once there is one, is to be read beside this one so that older files keep opening. Wireshark's
    /// own process fields are written beside these (`WiresharkProcessBlock`).
    public static let enterpriseNumber: UInt32 = 32473
    /// A binary custom option that rewriters should not copy: its ids mean something only beside these
    /// packets.
    public static let optionCode: UInt16 = 19373
    /// The application name procscope writes in the section header.
    public static let application = "procscope"

    /// The first byte of each of procscope's option values: what follows. A format change takes new tags.
    enum Tag: UInt8 {
        case processRecord = 0x01
        case conversationRecord = 0x02
        case captureRecord = 0x03
        case packetSides = 0x10
        case packetUnkeyed = 0x11
    }

    /// Whether an option value (after the enterprise number) is a packet's own annotation, not a record.
    static func isPacketAnnotation(_ value: UnsafeRawBufferPointer) -> Bool {
        value.first == Tag.packetSides.rawValue || value.first == Tag.packetUnkeyed.rawValue
    }
}
