#!/usr/bin/env python3
"""Writes procscope's unit-test fixtures under Fixtures/: capture files for every link type and protocol
path (including truncated, malformed and fragmented frames), a /proc tree, and recorded sock_diag replies.
The capture fixtures are deterministic; `--record-netlink` additionally records live sock_diag replies
(root, on a machine with a listening TCP socket) into Fixtures/netlink/."""
import os, struct, sys, socket

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")

def csum(data):
    if len(data) % 2: data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16: s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF

def ipv4(src, dst, proto, payload, ident=1, flags_frag=0, options=b"", total=None):
    ihl = 5 + len(options) // 4
    length = total if total is not None else 20 + len(options) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, length, ident, flags_frag, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst)) + options
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload

def ipv6(src, dst, next_header, payload, plen=None):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload) if plen is None else plen, next_header, 64,
                       socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)) + payload

def tcp(sport, dport, flags, data=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags, 65535, 0, 0) + data

def udp(sport, dport, data=b""):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data

def eth(ethertype, payload, tags=()):
    out = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01"
    for tpid, vid in tags: out += struct.pack("!HH", tpid, vid)
    return out + struct.pack("!H", ethertype) + payload

def sll(pkttype, proto, payload):
    return struct.pack("!HHH8sH", pkttype, 1, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00", proto) + payload

def sll2(proto, ifindex, pkttype, payload):
    return struct.pack("!HHIHBB8s", proto, 0, ifindex, 1, pkttype, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00") + payload

def write_pcap(name, linktype, frames, snaplen=262144):
    """frames: list of bytes or (bytes, wire_length)."""
    with open(os.path.join(ROOT, "pcap", name), "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        for i, frame in enumerate(frames):
            data, wire = (frame, len(frame)) if isinstance(frame, bytes) else frame
            f.write(struct.pack("<IIII", 1_700_000_000 + i, 250_000, len(data), wire) + data)

def write_pcapng(name, linktype, frames):
    def block(kind, body):
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", kind, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(0x00000001, struct.pack("<HHI", linktype, 0, 262144))
    for i, data in enumerate(frames):
        ts = (1_700_000_000 + i) * 1_000_000 + 500_000
        out += block(0x00000006, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data)) + data)
    with open(os.path.join(ROOT, "pcap", name), "wb") as f: f.write(out)

A, B = "198.18.0.1", "198.18.0.2"
A6, B6 = "fdbe:ac::1", "fdbe:ac::2"

def captures():
    os.makedirs(os.path.join(ROOT, "pcap"), exist_ok=True)
    write_pcap("ethernet-ipv4-tcp.pcap", 1, [
        eth(0x0800, ipv4(A, B, 6, tcp(40000, 80, 0x02))),             # SYN
        eth(0x0800, ipv4(B, A, 6, tcp(80, 40000, 0x12))),             # SYN-ACK
        eth(0x0800, ipv4(A, B, 6, tcp(40000, 80, 0x18, b"x" * 100))), # PSH-ACK with data
    ])
    write_pcap("ethernet-vlan-qinq-ipv4-udp.pcap", 1, [
        eth(0x0800, ipv4(A, B, 17, udp(5353, 53, b"q" * 20)), tags=[(0x88A8, 100), (0x8100, 200)]),
        eth(0x0800, ipv4(B, A, 17, udp(53, 5353, b"r" * 40)), tags=[(0x8100, 200)]),
    ])
    write_pcap("sll-ipv6-udp-outgoing.pcap", 113, [sll(4, 0x86DD, ipv6(A6, B6, 17, udp(6000, 7000, b"d" * 32)))])
    write_pcap("sll2-ipv4-tcp-ifindex.pcap", 276, [sll2(0x0800, 7, 0, ipv4(B, A, 6, tcp(443, 50000, 0x10, b"s" * 10)))])
    hop = bytes([60, 0]) + b"\x01\x04\0\0\0\0"          # hop-by-hop -> destination options, PadN
    dst = bytes([6, 1]) + b"\x01\x0c" + b"\0" * 12       # destination options (16 bytes) -> TCP
    write_pcap("raw-ipv6-extension-headers-tcp.pcap", 101, [ipv6(A6, B6, 0, hop + dst + tcp(1234, 22, 0x02))])
    write_pcap("null-ipv4-udp.pcap", 0, [struct.pack("<I", 2) + ipv4(A, B, 17, udp(1111, 2222, b"n" * 8))])
    write_pcap("loop-ipv6-udplite.pcap", 108, [struct.pack("!I", 24) + ipv6(A6, B6, 136, udp(3333, 4444, b"l" * 8))])
    # A UDP datagram in two IPv4 fragments, then a later fragment of an unseen datagram.
    payload = udp(5000, 6000, b"f" * 40)
    write_pcap("ethernet-ipv4-fragments.pcap", 1, [
        eth(0x0800, ipv4(A, B, 17, payload[:24], ident=77, flags_frag=0x2000)),
        eth(0x0800, ipv4(A, B, 17, payload[24:], ident=77, flags_frag=3)),
        eth(0x0800, ipv4(A, B, 17, b"z" * 16, ident=99, flags_frag=5)),
    ])
    frag_first = struct.pack("!BBHI", 17, 0, 0x0001, 0xABCD) + udp(5001, 6001, b"g" * 16)
    frag_later = struct.pack("!BBHI", 17, 0, 0x0010, 0xABCD) + b"h" * 16
    write_pcap("ethernet-ipv6-fragments.pcap", 1, [eth(0x86DD, ipv6(A6, B6, 44, frag_first)),
                                                   eth(0x86DD, ipv6(A6, B6, 44, frag_later))])
    write_pcap("ethernet-ipv4-options-sctp.pcap", 1, [
        eth(0x0800, ipv4(A, B, 132, struct.pack("!HHII", 9000, 9001, 0, 0), options=b"\x01\x01\x01\x00"))])
    write_pcap("ethernet-arp.pcap", 1, [eth(0x0806, b"\x00\x01\x08\x00\x06\x04\x00\x01" + b"\0" * 20)])
    write_pcap("ethernet-icmp-echo.pcap", 1, [
        eth(0x0800, ipv4(A, B, 1, struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + b"p" * 56)),
        eth(0x86DD, ipv6(A6, B6, 58, struct.pack("!BBHHH", 129, 0, 0, 0x4321, 1) + b"p" * 56))])
    # GSO/TSO super-packet: IPv4 total length 0, 64000 bytes on the wire, 128 captured.
    big = eth(0x0800, ipv4(A, B, 6, tcp(40000, 80, 0x10, b"b" * 200), total=0))
    write_pcap("ethernet-ipv4-tso-zero-length.pcap", 1, [(big[:128], 64000 + 14)], snaplen=128)
    good = eth(0x0800, ipv4(A, B, 6, tcp(40000, 80, 0x10)))
    write_pcap("ethernet-malformed.pcap", 1, [
        good[:20],                                                     # truncated IPv4 header
        good[:14] + bytes([0x43]) + good[15:],                         # IHL 3
        good[:14] + bytes([0x55]) + good[15:],                         # version 5
        good[:16] + struct.pack("!H", 10) + good[18:],                 # total length < header
        good[:36],                                                     # TCP ports cut by caplen
        eth(0x86DD, ipv6(A6, B6, 60, (bytes([60, 0]) + b"\0" * 6) * 20)),  # endless extension chain
        good[:10],                                                     # truncated Ethernet header
    ])
    write_pcapng("pcapng-ethernet-ipv4-tcp.pcapng", 1, [eth(0x0800, ipv4(A, B, 6, tcp(40001, 8080, 0x02)))])
    # A file whose last record claims more bytes than remain: the reader must report it, after the first.
    write_pcap("corrupt-truncated-record.pcap", 1, [eth(0x0800, ipv4(A, B, 17, udp(1, 2, b"ok")))])
    with open(os.path.join(ROOT, "pcap", "corrupt-truncated-record.pcap"), "ab") as f:
        f.write(struct.pack("<IIII", 1_700_000_100, 0, 1500, 1500) + b"\0" * 40)
    with open(os.path.join(ROOT, "pcap", "not-a-capture.pcap"), "wb") as f:
        f.write(b"this is not a capture file\n")
    file_formats()

def pcapng_block(order, kind, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack(order + "II", kind, 12 + len(body)) + body + struct.pack(order + "I", 12 + len(body))

def pcapng_options(order, options):
    out = b""
    for code, value in options:
        out += struct.pack(order + "HH", code, len(value)) + value + b"\0" * (-len(value) % 4)
    return out + struct.pack(order + "HH", 0, 0)

def file_formats():
    """The capture-file readers' corner cases: both byte orders, nanosecond and millisecond clocks, two
    sections, simple packet blocks, epb_flags, skipped blocks, and damaged or mixed files."""
    udp_frame = eth(0x0800, ipv4(A, B, 17, udp(5000, 6000, b"hello")))
    # Big-endian classic pcap with nanosecond timestamps: 1700000000.123456789 s.
    with open(os.path.join(ROOT, "pcap", "big-endian-nanosecond.pcap"), "wb") as f:
        f.write(struct.pack(">IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        f.write(struct.pack(">IIII", 1_700_000_000, 123_456_789, len(udp_frame), len(udp_frame) + 100) + udp_frame)
    # Section 1, big-endian, nanosecond interface, an outbound EPB (epb_flags 2) after a name resolution block.
    # Section 2, little-endian, millisecond interface with a 10 s offset: an EPB and a simple packet block.
    out = pcapng_block(">", 0x0A0D0D0A, struct.pack(">IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += pcapng_block(">", 1, struct.pack(">HHI", 1, 0, 65535) + pcapng_options(">", [(9, b"\x09")]))
    out += pcapng_block(">", 4, struct.pack(">HH", 0, 0))
    ts = 1_700_000_000_123_456_789
    out += pcapng_block(">", 6, struct.pack(">IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(udp_frame), len(udp_frame))
                        + udp_frame + b"\0" * (-len(udp_frame) % 4) + pcapng_options(">", [(2, struct.pack(">I", 2))]))
    out += pcapng_block("<", 0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += pcapng_block("<", 1, struct.pack("<HHI", 1, 0, 65535)
                        + pcapng_options("<", [(9, b"\x03"), (14, struct.pack("<q", 10))]))
    ms = 1_700_000_001_250
    out += pcapng_block("<", 6, struct.pack("<IIIII", 0, ms >> 32, ms & 0xFFFFFFFF, len(udp_frame), len(udp_frame))
                        + udp_frame)
    out += pcapng_block("<", 3, struct.pack("<I", len(udp_frame)) + udp_frame)
    with open(os.path.join(ROOT, "pcap", "pcapng-two-sections-both-byte-orders.pcapng"), "wb") as f: f.write(out)
    # A good packet, then a block whose trailing length disagrees with its leading one.
    good = pcapng_block("<", 0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    good += pcapng_block("<", 1, struct.pack("<HHI", 1, 0, 65535))
    epb = pcapng_block("<", 6, struct.pack("<IIIII", 0, 0, 1, len(udp_frame), len(udp_frame)) + udp_frame)
    bad = bytearray(epb); bad[-4:] = struct.pack("<I", len(epb) + 4)
    with open(os.path.join(ROOT, "pcap", "corrupt-pcapng-trailer.pcapng"), "wb") as f: f.write(good + epb + bytes(bad))
    # Two interfaces with different link types (Ethernet and raw IP).
    mixed = good + pcapng_block("<", 1, struct.pack("<HHI", 101, 0, 65535)) + epb
    with open(os.path.join(ROOT, "pcap", "pcapng-mixed-link-types.pcapng"), "wb") as f: f.write(mixed)
    # macOS tcpdump -k: Apple's process information blocks (0x80000001: pid, option 2 name, 3 path), packets
    # naming one by index (option 0x8001), one naming none, one naming an index no block has; the second
    # process's name is an escape sequence. Layout from Apple's libpcap pcap-ng.h.
    apple = pcapng_block("<", 0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    apple += pcapng_block("<", 1, struct.pack("<HHI", 1, 0, 65535))
    apple += pcapng_block("<", 0x80000001, struct.pack("<I", 501) + pcapng_options("<", [(2, b"Safari"), (3, b"/Applications/Safari.app")]))
    apple += pcapng_block("<", 0x80000001, struct.pack("<I", 77) + pcapng_options("<", [(2, b"curl\x1b[2J")]))
    for index in [1, 0, None, 9]:
        options = pcapng_options("<", [(0x8001, struct.pack("<I", index))]) if index is not None else b""
        apple += pcapng_block("<", 6, struct.pack("<IIIII", 0, 0, 1, len(udp_frame), len(udp_frame))
                              + udp_frame + b"\0" * (-len(udp_frame) % 4) + options)
    with open(os.path.join(ROOT, "pcap", "apple-process-information.pcapng"), "wb") as f: f.write(apple)
    # ptcpdump: the owner in each packet's first comment (PID, Cmd, Args), more comments after it (its
    # internal/writer/pcapng.go); a packet without comments; a comment that is not ptcpdump's.
    pt = pcapng_block("<", 0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    pt += pcapng_block("<", 1, struct.pack("<HHI", 1, 0, 65535))
    for comments in [[b"PID: 4321\nCmd: /usr/bin/curl\nArgs: curl http://example.test", b"ParentPID: 1\nParentCmd: /sbin/init\nParentArgs: "],
                     [], [b"just a note"], [b"PID: 99\nCmd: /tmp/\x1b]0;x\x07\nArgs: "]]:
        options = pcapng_options("<", [(1, c) for c in comments]) if comments else b""
        pt += pcapng_block("<", 6, struct.pack("<IIIII", 0, 0, 1, len(udp_frame), len(udp_frame))
                           + udp_frame + b"\0" * (-len(udp_frame) % 4) + options)
    with open(os.path.join(ROOT, "pcap", "ptcpdump-comments.pcapng"), "wb") as f: f.write(pt)
    # Wireshark's process information blocks: Wireshark custom blocks (type 0xBAD, enterprise 32622, entry type 3,
    # the entry little-endian whatever the section's order: pid, options 2 name, 9 start in ns) and packets
    # carrying epb_processid_threadid (option 8: pid, tid). Layout from Wireshark's
    # wiretap/pcapng-wireshark-custom.c. Section 1, little-endian: pid 500 twice (reused: "first" started at
    # 10 s, "second" at 20 s), pid 600 without start times ("old" then "new", the last counts), another
    # enterprise's custom block; packets at 15 s (first), 25 s (second), 5 s (first, none had started), pid 600
    # (new), pid 700 (no block: the bare pid), none. Section 2, big-endian: pid 77 with an escape in its name.
    def ws_block(order, pid, options, enterprise=32622, entry_type=3):
        entry = struct.pack("<I", pid) + pcapng_options("<", options)
        return pcapng_block(order, 0x00000BAD, struct.pack(order + "I", enterprise)
                            + struct.pack("<II", entry_type, len(entry)) + entry)
    def ws_packet(order, seconds, pid):
        ticks = seconds * 1_000_000
        options = pcapng_options(order, [(8, struct.pack(order + "II", pid, 0))]) if pid is not None else b""
        return pcapng_block(order, 6, struct.pack(order + "IIIII", 0, ticks >> 32, ticks & 0xFFFFFFFF, len(udp_frame), len(udp_frame))
                            + udp_frame + b"\0" * (-len(udp_frame) % 4) + options)
    ws = pcapng_block("<", 0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    ws += pcapng_block("<", 1, struct.pack("<HHI", 1, 0, 65535))
    ws += ws_block("<", 500, [(2, b"first"), (9, struct.pack("<Q", 10 * 10**9))])
    ws += ws_block("<", 500, [(2, b"second"), (9, struct.pack("<Q", 20 * 10**9))])
    ws += ws_block("<", 600, [(2, b"old")]) + ws_block("<", 600, [(2, b"new")])
    ws += ws_block("<", 800, [(2, b"not-wireshark")], enterprise=32473)
    ws += ws_block("<", 900, [(2, b"other-entry")], entry_type=99)
    for seconds, pid in [(15, 500), (25, 500), (5, 500), (30, 600), (31, 700), (32, None), (33, 800), (34, 900)]:
        ws += ws_packet("<", seconds, pid)
    ws += pcapng_block(">", 0x0A0D0D0A, struct.pack(">IHHq", 0x1A2B3C4D, 1, 0, -1))
    ws += pcapng_block(">", 1, struct.pack(">HHI", 1, 0, 65535))
    ws += ws_block(">", 77, [(2, b"sshd\x1b[2J"), (6, struct.pack("<I", 0))])
    ws += ws_packet(">", 40, 77)
    with open(os.path.join(ROOT, "pcap", "wireshark-process-information.pcapng"), "wb") as f: f.write(ws)

def proc_net_tables(base):
    """/proc/net/{icmp,icmp6,raw} as the kernel prints them: a ping socket (echo id 0x1234, uid 1000), a raw
    ICMP socket and a raw protocol-253 socket of root, and an IPv6 ping socket (echo id 0xABCD)."""
    def word_hex(address):  # each 32-bit word of the network-order bytes, printed as a little-endian integer
        raw = socket.inet_pton(socket.AF_INET6 if ":" in address else socket.AF_INET, address)
        return "".join("%08X" % struct.unpack("<I", raw[i:i + 4])[0] for i in range(0, len(raw), 4))
    def line(sl, local, lport, remote, rport, state, uid, inode):
        return "%4d: %s:%04X %s:%04X %02X 00000000:00000000 00:00000000 00000000 %5d        0 %d 2 0000000000000000 0\n" % (
            sl, word_hex(local), lport, word_hex(remote), rport, state, uid, inode)
    header4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
    header6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
    os.makedirs(os.path.join(base, "net"), exist_ok=True)
    tables = {
        "icmp": header4 + line(12, "127.0.0.1", 0x1234, "0.0.0.0", 0, 7, 1000, 77701),
        "raw": header4 + line(1, "0.0.0.0", 1, "0.0.0.0", 0, 7, 0, 77702) + line(253, A, 253, B, 0, 1, 0, 77703),
        "icmp6": header6 + line(40, A6, 0xABCD, "::", 0, 7, 1000, 77704),
        # An AF_PACKET SOCK_RAW socket for ETH_P_ALL on ifindex 2, and a SOCK_DGRAM one not bound yet.
        "packet": "sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n"
                  "ffff8f0a81c8a000 3      3    0003   2     1 0      0      77705\n"
                  "ffff8f0a81c8b000 3      2    0000   0     0 0      1000   77706\n",
    }
    # Kernel SCTP (net/sctp/proc.c): a TCP-style (STY 2) server listening on the wildcard port 5400; a
    # client (uid 1000) associated from 198.18.0.1:40001 to the server, multi-homed peer (198.18.0.2 primary,
    # 198.18.1.2); the server's accepted association; an IPv6 one-to-many (STY 0) association.
    A6_FULL = "fdbe:00ac:0000:0000:0000:0000:0000:0001"
    B6_FULL = "fdbe:00ac:0000:0000:0000:0000:0000:0002"
    def assoc(sk, state, uid, inode, lport, rport, laddrs, raddrs, style=2):
        return "%8s %8s %-3d %-3d %-2d %-4d %4d %8d %8d %7u %5lu %-5d %5d  %s<-> %s\t%8lu %5d %5d %4d %4d %4d %8d %8u %8u %8u %8u %8u %8u\n" % (
            "ffff8f0a8b000000", sk, style, 1, state, 0, 1, 0, 0, uid, inode, lport, rport,
            "".join(a + " " for a in laddrs), "".join(a + " " for a in raddrs),
            30000, 10, 10, 10, 0, 0, 0, 1, 0, 0, 0, 212992, 212992)
    tables["sctp/eps"] = (" ENDPT     SOCK   STY SST HBKT LPORT   UID INODE LADDRS\n"
        "ffff8f0a8a1c9000 ffff8f0a8a1c8000 2   10  29   5400      0 88801 0.0.0.0 \n"
        "ffff8f0a8a1ca000 ffff8f0a8a1c7000 2   1   40   40001  1000 88802 198.18.0.1 \n")
    tables["sctp/assocs"] = (" ASSOC     SOCK   STY SST ST HBKT ASSOC-ID TX_QUEUE RX_QUEUE UID INODE LPORT RPORT LADDRS <-> RADDRS HBINT INS OUTS MAXRT T1X T2X RTXC wmema wmemq sndbuf rcvbuf\n"
        + assoc("ffff8f0a8a1c7000", 3, 1000, 88802, 40001, 5400, ["*198.18.0.1"], ["*198.18.0.2", "198.18.1.2"])
        + assoc("ffff8f0a8a1c6000", 3, 0, 88803, 5400, 40001, ["*198.18.0.2"], ["*198.18.0.1"])
        + assoc("ffff8f0a8a1c5000", 1, 0, 88804, 5401, 5402, ["*" + A6_FULL], ["*" + B6_FULL], style=0))
    os.makedirs(os.path.join(base, "net", "sctp"), exist_ok=True)
    for name, text in tables.items():
        with open(os.path.join(base, "net", name), "w") as f: f.write(text)

def proc_tree():
    base = os.path.join(ROOT, "proc")
    proc_net_tables(base)
    def put(path, text):
        full = os.path.join(base, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f: f.write(text)
    def link(path, target):
        full = os.path.join(base, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if os.path.lexists(full): os.remove(full)
        os.symlink(target, full)
    put("stat", "cpu  1 2 3 4\nbtime 1700000000\nprocesses 100\n")
    # 4242: curl (uid 1000) with two sockets; comm with a space and parentheses in the second process.
    put("4242/stat", "4242 (curl) S 1 4242 4242 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 12345 1000 100\n")
    put("4242/status", "Name:\tcurl\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n")
    put("4242/cmdline", "curl\0-s\0https://example.invalid/\0")
    put("4242/cgroup", "0::/user.slice/user-1000.slice/session-1.scope\n")
    link("4242/exe", "/usr/bin/curl")
    link("4242/ns/net", "net:[4026531840]")
    link("4242/net", "../net")  # /proc/PID/net is the process's namespace's tables
    link("4242/fd/0", "/dev/null")
    link("4242/fd/3", "socket:[55501]")
    link("4242/fd/4", "socket:[55502]")
    link("4242/fd/5", "pipe:[777]")
    put("4343/stat", "4343 (odd) name)) S 4242 4343 4343 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 20000 1000 100\n")
    put("4343/status", "Name:\todd name\nUid:\t0\t0\t0\t0\n")
    put("4343/cmdline", "")
    put("4343/cgroup", "0::/\n")
    link("4343/exe", "/opt/odd (deleted)")
    link("4343/ns/net", "net:[4026532999]")
    link("4343/fd/7", "socket:[66601]")

def record_netlink():
    """Records real sock_diag replies: a TCP dump and one exact lookup of a listening socket."""
    out = os.path.join(ROOT, "netlink")
    os.makedirs(out, exist_ok=True)
    listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen()
    port = listener.getsockname()[1]
    def request(flags, sport=0, src=b"\0" * 16, dport=0, dst=b"\0" * 16):
        req = struct.pack("=BBBBI", socket.AF_INET, 6, 0, 0, 0xFFF)
        req += struct.pack("!HH", sport, dport) + src + dst + struct.pack("=III", 0, 0xFFFFFFFF, 0xFFFFFFFF)
        return struct.pack("=IHHII", 16 + len(req), 20, flags, 1, 0) + req
    for name, message in [("tcp-listener-lookup.bin", request(1, port, socket.inet_aton("127.0.0.1") + b"\0" * 12)),
                          ("tcp-dump.bin", request(1 | 0x300))]:
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4)
        s.send(message)
        with open(os.path.join(out, name), "wb") as f: f.write(s.recv(1 << 16))
        s.close()
    with open(os.path.join(out, "tcp-listener-lookup.port"), "w") as f: f.write(str(port) + "\n")

def dns_messages():
    """DNS responses as resolvers send them (Fixtures/dns): names compressed, a CNAME chain, and damage."""
    out = os.path.join(ROOT, "dns")
    os.makedirs(out, exist_ok=True)
    def name(text):
        return b"".join(bytes([len(label)]) + label.encode() for label in text.split(".")) + b"\0"
    def header(flags, questions, answers):
        return struct.pack("!HHHHHH", 0x1234, flags, questions, answers, 0, 0)
    def record(owner, rtype, ttl, data):
        return owner + struct.pack("!HHIH", rtype, 1, ttl, len(data)) + data
    question = name("www.example.com") + struct.pack("!HH", 1, 1)
    a = header(0x8180, 1, 1) + question + record(b"\xc0\x0c", 1, 300, socket.inet_aton("93.184.216.34"))
    cname_q = name("shop.example.net") + struct.pack("!HH", 28, 1)
    canonical = 12 + len(cname_q) + 12  # where the CNAME's target name starts: after the first record's fixed part
    chain = header(0x8180, 1, 3) + cname_q + record(b"\xc0\x0c", 5, 60, name("edge.cdn.example")) \
        + record(struct.pack("!H", 0xC000 | canonical), 1, 20, socket.inet_aton("198.51.100.7")) \
        + record(struct.pack("!H", 0xC000 | canonical), 28, 20, socket.inet_pton(socket.AF_INET6, "2001:db8::7"))
    loop = header(0x8180, 1, 1) + b"\xc0\x0c" + struct.pack("!HH", 1, 1)  # the question points at itself
    forward = header(0x8180, 1, 1) + question + record(b"\xc0\xff", 1, 300, socket.inet_aton("192.0.2.1"))
    nxdomain = header(0x8183, 1, 1) + question + record(b"\xc0\x0c", 1, 300, socket.inet_aton("192.0.2.2"))
    query = header(0x0100, 1, 0) + question
    for file, message in [("a.bin", a), ("cname-chain.bin", chain), ("truncated.bin", chain[:-9]),
                          ("pointer-loop.bin", loop), ("pointer-forward.bin", forward), ("nxdomain.bin", nxdomain),
                          ("query.bin", query)]:
        with open(os.path.join(out, file), "wb") as f: f.write(message)

if __name__ == "__main__":
    captures()
    proc_tree()
    dns_messages()
    if "--record-netlink" in sys.argv: record_netlink()
