/// A datagram as a netlink socket returns it: split into messages, each read as what procscope asks the
/// kernel for (sock_diag inet and packet replies with their attributes, conntrack events, errors).
enum NetlinkTarget {
    static func run(_ input: UnsafeRawBufferPointer) {
        for message in NetlinkMessage.split(input) {
            _ = message.errorCode
            _ = InetDiagMessage(payload: message.payload)
            _ = InetDiagAttributes.parse(message.payload)
            _ = PacketDiagMessage(payload: message.payload)
            _ = ConntrackMessage.binding(message.payload)
        }
    }
}
