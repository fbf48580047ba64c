/// Why a capture file cannot be read (further), with the byte offset where it went wrong so that a user can
/// cut the file there (`editcap`, `dd`) and keep the good part.
public enum CaptureFileError: Error, Equatable, CustomStringConvertible {
    /// The first bytes are neither a pcap nor a pcapng magic number.
    case notACaptureFile
    /// The file ends inside a header or a record.
    case truncated(offset: Int, needed: Int, available: Int)
    /// A length field that no writer produces: the file is damaged from here on.
    case corrupt(offset: Int, reason: String)
    /// A pcapng section whose interfaces use different link types; procscope decodes one per file.
    case mixedLinkTypes(first: LinkType, other: LinkType)

    public var description: String {
        switch self {
        case .notACaptureFile:
            return "not a pcap or pcapng file (unknown magic number)"
        case .truncated(let offset, let needed, let available):
            return "the file is truncated: the record at byte \(offset) needs \(needed) bytes but only "
                + "\(available) remain (was it copied while still being written?)"
        case .corrupt(let offset, let reason):
            return "the file is corrupt at byte \(offset): \(reason)"
        case .mixedLinkTypes(let first, let other):
            return "the file mixes link types \(first) and \(other); split it per interface first "
                + "(tshark -r FILE -w OUT -Y 'frame.interface_id == N')"
        }
    }
}
