/// Why a frame could not be decoded. Stable kebab-case names: they are counted per kind in the report.
public enum DecodeFailure: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case unsupportedLinkType
    case truncatedLinkHeader
    case truncatedIPHeader
    case badIPVersion
    case badIPHeaderLength
    case badIPTotalLength
    case badExtensionHeader
    case truncatedTransportHeader

    public var description: String {
        switch self {
        case .unsupportedLinkType: return "unsupported-link-type"
        case .truncatedLinkHeader: return "truncated-link-header"
        case .truncatedIPHeader: return "truncated-ip-header"
        case .badIPVersion: return "bad-ip-version"
        case .badIPHeaderLength: return "bad-ip-header-length"
        case .badIPTotalLength: return "bad-ip-total-length"
        case .badExtensionHeader: return "bad-extension-header"
        case .truncatedTransportHeader: return "truncated-transport-header"
        }
    }
}
