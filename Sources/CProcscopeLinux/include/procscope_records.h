// The records procscope's eBPF programs (bpf/*.bpf.c) write into their maps and the Swift side reads back:
// one definition, included by both sides, so the layouts cannot drift apart. Only <linux/types.h> types,
// because the BPF side is compiled without the C library.
#ifndef PROCSCOPE_RECORDS_H
#define PROCSCOPE_RECORDS_H

#include <linux/types.h>

/// Who created a socket (cgroup/sock_create); keyed by socket cookie.
struct ps_creator_value {
    __u32 tgid;
    __u32 uid;
};

/// Who released (closed, or exited holding) a socket, and when (CLOCK_MONOTONIC); keyed by socket cookie.
struct ps_release_value {
    __u32 tgid;
    __u32 uid;
    __u64 released_ns;
    char comm[16];
    /// The socket's creator, copied from its creation record at release (`creator_known` 1), so one lookup
    /// answers both "who released it" and "did they create it".
    __u32 creator_tgid;
    __u32 creator_known;
};

/// The key of a first-send record: the sender's network namespace cookie (0 where the kernel cannot give
/// it to cgroup_skb programs), IP version, protocol, and the packet's source and destination as sent (ports
/// and addresses in network byte order; an echo's identifier as the local port; IPv4 in the first 4 bytes).
struct ps_first_send_key {
    __u64 netns_cookie;
    __u8 version;
    __u8 proto;
    __u16 local_port;
    __u16 remote_port;
    __u16 pad;
    __u8 local[16];
    __u8 remote[16];
};

/// The socket that sent a flow's first packet, when (CLOCK_MONOTONIC) and from which task (tgid; 0 where the
/// kernel does not give cgroup_skb programs the current task).
struct ps_first_send_value {
    __u64 cookie;
    __u64 sent_ns;
    __u32 tgid;
    __u32 pad;
};

_Static_assert(sizeof(struct ps_creator_value) == 8, "ps_creator_value layout");
_Static_assert(sizeof(struct ps_release_value) == 40, "ps_release_value layout");
_Static_assert(sizeof(struct ps_first_send_key) == 48, "ps_first_send_key layout");
_Static_assert(sizeof(struct ps_first_send_value) == 24, "ps_first_send_value layout");

#endif
