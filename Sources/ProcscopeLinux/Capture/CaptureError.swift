/// Why a capture could not start or stopped early, in words a user can act on.
public enum CaptureError: Error, CustomStringConvertible {
    case permissionDenied(interface: String, message: String)
    case noSuchInterface(String, available: [String])
    case interfaceNotUp(String)
    case badFilter(expression: String, message: String)
    case cannotOpenFile(path: String, message: String)
    case unsupportedLinkType(source: String, linkType: String)
    case readFailed(source: String, message: String)
    case setupFailed(interface: String, message: String)

    public var description: String {
        switch self {
        case .permissionDenied(let interface, let message):
            return "cannot capture on \(interface): \(message).\n" + Privileges.hint
        case .noSuchInterface(let name, let available):
            return "no interface named '\(name)'. Interfaces here: \(available.joined(separator: ", ")) "
                + "(or 'any' for all of them)"
        case .interfaceNotUp(let name):
            return "interface '\(name)' is down: bring it up (ip link set \(name) up) or pick another with -i"
        case .badFilter(let expression, let message):
            return "bad capture filter '\(expression)': \(message) (see 'man pcap-filter' for the syntax)"
        case .cannotOpenFile(let path, let message):
            return "cannot read capture file '\(path)': \(message)"
        case .unsupportedLinkType(let source, let linkType):
            return "\(source) has link type \(linkType), which procscope does not decode (it reads EN10MB, "
                + "LINUX_SLL, LINUX_SLL2, RAW, NULL and LOOP)"
        case .readFailed(let source, let message):
            return "reading from \(source) failed: \(message)"
        case .setupFailed(let interface, let message):
            return "cannot set up capture on \(interface): \(message)"
        }
    }
}
