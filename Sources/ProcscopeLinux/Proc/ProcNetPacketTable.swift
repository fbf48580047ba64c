/// One line of /proc/net/packet (net/packet/af_packet.c: `sk RefCnt Type Proto Iface R Rmem User Inode`):
/// an AF_PACKET socket, its type (SOCK_RAW 3, SOCK_DGRAM 2), EtherType (0 until bound), interface index.
public struct ProcNetPacketSocket: Equatable, Sendable {
    public var type: Int
    public var etherType: UInt16
    public var interfaceIndex: Int
    public var uid: UInt32
    public var inode: UInt32
}

public enum ProcNetPacketTable {
    public static func parse(_ text: String) -> [ProcNetPacketSocket] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 9, let type = Int(fields[2]), let proto = UInt16(fields[3], radix: 16),
                  let interface = Int(fields[4]), let uid = UInt32(fields[7]), let inode = UInt32(fields[8]) else { return nil }
            return ProcNetPacketSocket(type: type, etherType: proto, interfaceIndex: interface, uid: uid, inode: inode)
        }
    }
}
