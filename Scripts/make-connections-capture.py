#!/usr/bin/env python3
"""Writes a capture of CONNECTIONS short TCP connections opened and closed one after the other (SYN, SYN-ACK,
ACK, a request, a reply, FIN/ACK both ways, ACK: 8 frames each, 1 ms apart per connection), classic pcap,
for the long-run memory benchmark: a reader whose memory follows what is live stays flat however long the
file is."""
import struct, sys

def main(path, connections):
    eth = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00"
    client, server = 0xC6120001, 0xC6130001
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 128, 1))
        chunk = []
        for n in range(connections):
            sport = 1024 + n % 64000
            base = 1_700_000_000_000_000 + n * 1000
            steps = ((0, 0x02, 0), (1, 0x12, 0), (0, 0x10, 0), (0, 0x18, 100), (1, 0x18, 400), (0, 0x11, 0),
                     (1, 0x11, 0), (0, 0x10, 0))
            for i, (reply, flags, payload) in enumerate(steps):
                s, d, sp, dp = (server, client, 80, sport) if reply else (client, server, sport, 80)
                tcp = struct.pack("!HHIIBBHHH", sp, dp, n, 0, 0x50, flags, 65535, 0, 0)
                size = 14 + 20 + 20 + payload
                ip = struct.pack("!BBHHHBBHII", 0x45, 0, size - 14, i, 0, 64, 6, 0, s, d)
                frame = (eth + ip + tcp + b"\0" * payload)[:128]
                ts = base + i * 10
                chunk.append(struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000, len(frame), size) + frame)
            if len(chunk) >= 20000:
                out.write(b"".join(chunk)); chunk = []
        out.write(b"".join(chunk))

if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000)
