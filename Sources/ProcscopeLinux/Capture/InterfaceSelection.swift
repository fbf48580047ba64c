import Glibc

/// What a live capture opens for the interfaces asked for (`-i` given several times, as dumpcap takes it):
/// one interface is opened as itself; several are captured through `any`, whose cooked header carries each
/// frame's interface, keeping only theirs with libpcap's `ifindex` primitive ahead of the user's filter. One
/// handle, one link type and one clock for all of them: frames stay in the order the kernel saw them, and a
/// frame forwarded between two of them is counted once, as on `any`.
public struct InterfaceSelection: Equatable, Sendable {
    /// The interfaces asked for, by name, for the report and the listing.
    public let names: [String]
    /// The device libpcap opens.
    public let device: String
    /// The filter compiled into the kernel: the user's, narrowed to the chosen interfaces when there are several.
    public let kernelFilter: String?

    /// `index` gives an interface's index by name, 0 when there is none (`if_nametoindex`).
    public init(_ names: [String], filter: String?, index: (String) -> UInt32 = { if_nametoindex($0) }) throws {
        var unique: [String] = []
        for name in names where !unique.contains(name) { unique.append(name) }
        // `any` among them is every interface already.
        if unique.isEmpty || unique.contains("any") { unique = ["any"] }
        self.names = unique
        guard unique.count > 1 else {
            device = unique[0]
            kernelFilter = filter
            return
        }
        let indexes = try unique.map { name in
            let found = index(name)
            guard found > 0 else {
                throw CaptureError.noSuchInterface(name, available: (try? PcapCaptureSource.interfaceNames()) ?? [])
            }
            return found
        }
        device = "any"
        let chosen = "(" + indexes.map { "ifindex \($0)" }.joined(separator: " or ") + ")"
        kernelFilter = filter.map { "\(chosen) and (\($0))" } ?? chosen
    }

    /// How the capture names them ("lo", "lo and eth0", "lo, eth0 and eth1").
    public var description: String {
        names.count <= 1 ? device : names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
    }
}
