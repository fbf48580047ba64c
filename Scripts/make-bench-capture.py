#!/usr/bin/env python3
"""Writes a large synthetic capture for the file-reading benchmark: PACKETS Ethernet frames (IPv4/IPv6,
TCP/UDP, 60-1514 bytes on the wire, 128 bytes captured) spread over FLOWS flows, in classic pcap."""
import random, struct, sys

def main(path, packets, flows):
    rng = random.Random(42)
    snap = 128
    flow_table = []
    for i in range(flows):
        v6 = i % 4 == 0
        proto = 6 if i % 3 else 17
        src = (0xC6120000 + (i % 250) + 1) if not v6 else i
        flow_table.append((v6, proto, src, 0xC6130000 + (i // 250) % 65000, 1024 + i % 60000, 443 if proto == 6 else 53))
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snap, 1)
    eth4 = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00"
    eth6 = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x86\xdd"
    with open(path, "wb") as out:
        out.write(header)
        chunk = []
        for n in range(packets):
            v6, proto, src, dst, sport, dport = flow_table[rng.randrange(flows)]
            size = rng.choice((60, 66, 120, 576, 1514))
            reply = n % 2 == 1
            s, d, sp, dp = (dst, src, dport, sport) if reply else (src, dst, sport, dport)
            l4 = struct.pack("!HHIIBBHHH", sp, dp, n, 0, 0x50, 0x18, 65535, 0, 0) if proto == 6 else struct.pack("!HHHH", sp, dp, size - 34, 0)
            if v6:
                ip = struct.pack("!IHBB", 0x60000000, size - 54, proto, 64) + struct.pack("!QQQQ", 0xFDBE00AC << 32, s, 0xFDBE00AC << 32, d)
                frame = eth6 + ip + l4
            else:
                ip = struct.pack("!BBHHHBBHII", 0x45, 0, size - 14, n & 0xFFFF, 0, 64, proto, 0, s, d)
                frame = eth4 + ip + l4
            frame = (frame + b"\0" * snap)[:min(snap, size)]
            ts = 1_700_000_000_000_000 + n * 10
            chunk.append(struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000, len(frame), size) + frame)
            if len(chunk) >= 10000:
                out.write(b"".join(chunk)); chunk = []
        out.write(b"".join(chunk))

if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000, int(sys.argv[3]) if len(sys.argv) > 3 else 50_000)
