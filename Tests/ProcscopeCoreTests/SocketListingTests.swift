import ProcscopeCore
import Testing

/// `procscope sockets` output: sorted, aligned, terminal-safe, and JSON with sorted keys.
@Suite struct SocketListingTests {
    let listing = SocketListing([
        SocketRecord(kind: "udp", namespace: 2, local: Endpoint(address: .ipv6Loopback, port: 53),
                     remote: Endpoint(address: .ipv6Any, port: 0), state: "CLOSE", uid: 0, inode: 30),
        SocketRecord(kind: "tcp", namespace: 1, local: Endpoint(address: .ipv4Loopback, port: 80),
                     remote: Endpoint(address: .ipv4Any, port: 0), state: "LISTEN", uid: 33, inode: 10,
                     owners: [.init(pid: 7, name: "web\u{1b}[2J"), .init(pid: 9, name: "web")]),
        SocketRecord(kind: "packet", namespace: 1, local: nil, remote: nil, state: "-", uid: 0, inode: 20,
                     detail: "raw 0x3 if2"),
    ])

    @Test("The table is sorted by namespace and kind, aligned, and escapes control characters in names")
    func textTable() {
        #expect(listing.text == """
        NETNS  PROTO   LOCAL         REMOTE     STATE   UID  INODE  OWNERS
        1      packet  raw 0x3 if2   -          -       0    20     -
        1      tcp     127.0.0.1:80  0.0.0.0:0  LISTEN  33   10     7/web?[2J,9/web
        2      udp     [::1]:53      [::]:0     CLOSE   0    30     -

        """)
    }

    @Test("The JSON names its schema and writes every socket with sorted keys")
    func json() {
        let text = String(decoding: listing.json, as: UTF8.self)
        #expect(text.hasPrefix(#"{"schema":"procscope-sockets/1","sockets":[{"detail":"raw 0x3 if2","inode":20,"kind":"packet","local":null,"netns":1,"owners":[],"remote":null,"state":"-","uid":0},"#))
        #expect(text.contains(#""owners":[{"name":"web\u001b[2J","pid":7},{"name":"web","pid":9}]"#))
        #expect(text.hasSuffix("]}\n"))
    }
}
