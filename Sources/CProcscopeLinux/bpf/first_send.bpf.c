// The first-send recorder: for the packet that opens a flow from a socket (a TCP SYN without ACK, an ICMP or
// ICMPv6 echo request), it writes the sending socket's cookie, the time and the sending task's tgid under the
// packet's namespace and tuple. A socket that leaves the kernel's tables at once (a refused connect, a pinger
// that exits) is still named: the cookie leads to its creation and release records (socket_records.bpf.c).
//
// Cost: the sending socket is looked at first, without touching the packet. Only a TCP socket in SYN_SENT,
// an ICMP, ICMPv6 or raw socket can send what is recorded, so a UDP flood or an established connection's
// data leaves after a handful of instructions. A socket already recorded for the tuple (a retransmitted SYN,
// the next echo) writes nothing: a retransmission can be sent from a timer, in whatever task it interrupts,
// while a socket's first send runs in the sending task's connect() or sendmsg().
//
// Which helpers a cgroup_skb program may call varies by kernel release (the namespace cookie and the current
// task came late), so the object holds one program per combination and procscope loads the richest one the
// verifier accepts.
//
// Built by Scripts/make-bpf.sh into bpf_objects.c; loaded by FirstSendRecorder.swift through libbpf.
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "procscope_records.h"

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);   // the oldest records go first when it is full
    __uint(max_entries, 1 << 15);
    __type(key, struct ps_first_send_key);
    __type(value, struct ps_first_send_value);
} first_sends SEC(".maps");

/// Whether the socket sending `skb` can be sending a flow's first packet.
static __always_inline int may_open_flow(struct __sk_buff *skb) {
    struct bpf_sock *socket = skb->sk;
    if (!socket) return 0;
    socket = bpf_sk_fullsock(socket);
    if (!socket) return 0;
    switch (socket->protocol) {
    case IPPROTO_TCP: return socket->state == BPF_TCP_SYN_SENT;
    case IPPROTO_ICMP: case IPPROTO_ICMPV6: case IPPROTO_RAW: return 1;
    default: return 0;
    }
}

/// The TCP header's flags byte (RFC 9293 section 3.1) and the flags looked at there.
#define TCP_FLAGS_OFFSET 13
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10

/// An echo request's header, the same for ICMP (RFC 792, type 8) and ICMPv6 (RFC 4443 section 4.1, type
/// 128). Declared here: <linux/icmp.h> needs the C library, which the BPF target has not.
struct echo_header {
    __u8 type;
    __u8 code;
    __u16 checksum;
    __u16 identifier;
    __u16 sequence;
};
#define ICMP_ECHO_REQUEST 8
#define ICMPV6_ECHO_REQUEST 128

/// Fills the key's version, protocol and addresses from the IP header (cgroup_skb data starts there);
/// returns the transport header's offset, or 0 for what is not recorded (IPv4 options, a later fragment,
/// IPv6 extension headers, neither version).
static __always_inline __u32 read_network_header(struct __sk_buff *skb, struct ps_first_send_key *key) {
    __u8 version;
    if (bpf_skb_load_bytes(skb, 0, &version, 1)) return 0;
    switch (version >> 4) {
    case 4: {
        struct iphdr ip;
        if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip))) return 0;
        if (ip.ihl != 5) return 0;                                        // options: not looked past
        if (ip.frag_off & bpf_htons(0x1fff)) return 0;                    // a later fragment: no ports
        key->version = 4;
        key->proto = ip.protocol;
        __builtin_memcpy(key->local, &ip.saddr, 4);
        __builtin_memcpy(key->remote, &ip.daddr, 4);
        return sizeof(ip);
    }
    case 6: {
        struct ipv6hdr ip;
        if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip))) return 0;
        key->version = 6;
        key->proto = ip.nexthdr;                                          // extension headers: not looked past
        __builtin_memcpy(key->local, &ip.saddr, 16);
        __builtin_memcpy(key->remote, &ip.daddr, 16);
        return sizeof(ip);
    }
    default:
        return 0;
    }
}

/// Fills the key's ports (an echo request's identifier as the local port) when the transport header opens a
/// flow: a TCP SYN without ACK, an ICMP or ICMPv6 echo request. Returns 0 for anything else.
static __always_inline int read_transport_header(struct __sk_buff *skb, __u32 offset,
                                                 struct ps_first_send_key *key) {
    __u8 header[16];
    switch (key->proto) {
    case IPPROTO_TCP:
        if (bpf_skb_load_bytes(skb, offset, header, 16)) return 0;
        if ((header[TCP_FLAGS_OFFSET] & (TCP_FLAG_SYN | TCP_FLAG_ACK)) != TCP_FLAG_SYN) return 0;
        __builtin_memcpy(&key->local_port, &header[0], 2);                // source port
        __builtin_memcpy(&key->remote_port, &header[2], 2);               // destination port
        return 1;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6: {
        struct echo_header echo;
        if (bpf_skb_load_bytes(skb, offset, &echo, sizeof(echo))) return 0;
        __u8 request = key->proto == IPPROTO_ICMP ? ICMP_ECHO_REQUEST : ICMPV6_ECHO_REQUEST;
        if (echo.type != request) return 0;
        key->local_port = echo.identifier;                                // the echo's "port"
        return 1;
    }
    default:
        return 0;
    }
}

static __always_inline int record_first_send(struct __sk_buff *skb, int with_netns, int with_tgid) {
    if (!may_open_flow(skb)) return 1;
    struct ps_first_send_key key;
    __builtin_memset(&key, 0, sizeof(key));
    __u32 transport = read_network_header(skb, &key);
    if (!transport || !read_transport_header(skb, transport, &key)) return 1;
    if (with_netns) key.netns_cookie = bpf_get_netns_cookie(skb);
    __u64 cookie = bpf_get_socket_cookie(skb);
    if (!cookie) return 1;                                     // no socket: the kernel's own packet
    struct ps_first_send_value *recorded = bpf_map_lookup_elem(&first_sends, &key);
    if (recorded && recorded->cookie == cookie) return 1;      // this socket's later send
    struct ps_first_send_value value = {
        .cookie = cookie,
        .sent_ns = bpf_ktime_get_ns(),
        .tgid = with_tgid ? bpf_get_current_pid_tgid() >> 32 : 0,
    };
    bpf_map_update_elem(&first_sends, &key, &value, BPF_ANY);
    return 1;
}

// Every program returns 1: the packet always goes on.
SEC("cgroup_skb/egress")
int first_send_netns_tgid(struct __sk_buff *skb) { return record_first_send(skb, 1, 1); }
SEC("cgroup_skb/egress")
int first_send_tgid(struct __sk_buff *skb) { return record_first_send(skb, 0, 1); }
SEC("cgroup_skb/egress")
int first_send_netns(struct __sk_buff *skb) { return record_first_send(skb, 1, 0); }
SEC("cgroup_skb/egress")
int first_send(struct __sk_buff *skb) { return record_first_send(skb, 0, 0); }

char LICENSE[] SEC("license") = "Dual MIT/GPL";
