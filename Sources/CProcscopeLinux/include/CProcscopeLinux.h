// The C edge of procscope's Linux layer: kernel uapi constants, and wrappers for what Swift cannot import
// (macros, flexible-array structs). Every wrapper names the kernel header whose layout it follows.
#ifndef CPROCSCOPE_LINUX_H
#define CPROCSCOPE_LINUX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <linux/packet_diag.h>
#include <linux/connector.h>
#include <linux/cn_proc.h>
#include <poll.h>
#include <time.h>
#include <sys/types.h>

/// Size of `struct inet_diag_msg` (linux/inet_diag.h); the Swift parser reads this layout byte by byte.
#define PS_INET_DIAG_MSG_SIZE 72
/// Value of `idiag_cookie` that asks the kernel not to check the cookie (INET_DIAG_NOCOOKIE).
#define PS_INET_DIAG_NOCOOKIE 0xFFFFFFFFu

/// Writes a complete SOCK_DIAG_BY_FAMILY request (nlmsghdr + struct inet_diag_req_v2) into `buf`.
/// With `dump` non-zero it is an NLM_F_DUMP of every socket of `family`/`protocol` in `states`; otherwise an
/// exact lookup of the tuple (addresses are 16 network-order bytes, IPv4 in the first 4; ports in host order).
/// Returns the message length, or -1 when `buflen` is too small.
int ps_inet_diag_request(void *buf, size_t buflen, uint32_t seq, uint8_t family, uint8_t protocol,
                         uint32_t states, int dump,
                         const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport);

/// Writes a SOCK_DIAG_BY_FAMILY dump request for every AF_PACKET socket (struct packet_diag_req) asking for
/// their info (interface, uid) and ring configuration. Returns the message length, or -1.
int ps_packet_diag_request(void *buf, size_t buflen, uint32_t seq);

/// Writes the NETLINK_CONNECTOR message that subscribes to (or unsubscribes from) process events
/// (linux/cn_proc.h, PROC_CN_MCAST_LISTEN / PROC_CN_MCAST_IGNORE). Returns its length, or -1.
int ps_proc_connector_listen_request(void *buf, size_t buflen, int listen);

/// Offset of `struct proc_event` inside a NETLINK_CONNECTOR message (after nlmsghdr and cn_msg).
size_t ps_proc_event_offset(void);
/// Offset of the event_data union inside `struct proc_event`.
size_t ps_proc_event_data_offset(void);

/// ppoll(2) without a signal mask: poll with a nanosecond timeout (glibc declares it only for _GNU_SOURCE).
int ps_ppoll(struct pollfd *fds, unsigned long count, const struct timespec *timeout);

/// The calling thread's kernel id (gettid(2)), for per-thread scheduling calls.
int ps_gettid(void);

/// setns(fd, CLONE_NEWNET): moves the calling thread into the network namespace of `fd` (sched.h needs
/// _GNU_SOURCE, which Swift's Glibc module does not define).
int ps_setns_net(int fd);

/// Who released (closed, or exited holding) a socket, and when (CLOCK_MONOTONIC); keyed by socket cookie.
struct ps_release_value {
    uint32_t tgid;
    uint32_t uid;
    uint64_t released_ns;
    char comm[16];
};

/// Who created a socket; keyed by socket cookie.
struct ps_creator_value {
    uint32_t tgid;
    uint32_t uid;
};

/// BPF_MAP_CREATE of the recorder's LRU hash maps (release and creation records); the map fd or -1 (errno).
int ps_release_map_create(uint32_t entries);
int ps_creator_map_create(uint32_t entries);
/// BPF_PROG_LOAD of the cgroup/sock_release and cgroup/sock_create recorders writing into `map_fd`; the
/// program fd or -1. The verifier's log goes to `log` (may be NULL).
int ps_release_program_load(int map_fd, char *log, uint32_t log_size);
int ps_creator_program_load(int map_fd, char *log, uint32_t log_size);
/// The cgroup hooks procscope's eBPF programs attach to.
enum ps_cgroup_hook { PS_HOOK_SOCK_CREATE, PS_HOOK_SOCK_RELEASE, PS_HOOK_EGRESS };
/// BPF_LINK_CREATE of a program at `hook` on a cgroup v2 directory: the link fd (detached when closed) or -1.
int ps_cgroup_program_attach(int program_fd, int cgroup_fd, enum ps_cgroup_hook hook);
/// BPF_MAP_LOOKUP_ELEM by socket cookie into `value` (a ps_release_value or ps_creator_value): 0 when found,
/// -1 otherwise (errno ENOENT when absent).
int ps_cookie_map_lookup(int map_fd, uint64_t cookie, void *value);

/// The key of a first-send record: the sender's network namespace cookie (0 where the kernel cannot give
/// it to cgroup_skb programs), IP version, protocol, and the packet's source and destination as sent (ports
/// and addresses in network byte order; an echo's identifier as the local port; IPv4 in the first 4 bytes).
struct ps_first_send_key {
    uint64_t netns_cookie;
    uint8_t version;
    uint8_t proto;
    uint16_t local_port;
    uint16_t remote_port;
    uint16_t pad;
    uint8_t local[16];
    uint8_t remote[16];
};

/// The socket that sent a flow's first packet, when (CLOCK_MONOTONIC) and from which task (tgid; 0 where the
/// kernel does not give cgroup_skb programs the current task).
struct ps_first_send_value {
    uint64_t cookie;
    uint64_t sent_ns;
    uint32_t tgid;
    uint32_t pad;
};

/// BPF_MAP_CREATE of the first-send LRU hash; the map fd or -1 (errno).
int ps_first_send_map_create(uint32_t entries);
/// BPF_PROG_LOAD of the cgroup_skb/egress first-send recorder writing into `map_fd`, with the namespace
/// cookie and the sending tgid in its records when asked (kernels refuse those helpers to cgroup_skb before
/// 6.x): the program fd or -1; the verifier's log goes to `log` (may be NULL).
int ps_first_send_program_load(int map_fd, int with_netns, int with_tgid, char *log, uint32_t log_size);
/// BPF_MAP_LOOKUP_ELEM of a first-send record: 0 when found, -1 otherwise.
int ps_first_send_lookup(int map_fd, const struct ps_first_send_key *key, struct ps_first_send_value *value);
/// The network namespace cookie of a socket's namespace (SO_NETNS_COOKIE), or 0 where the kernel has none.
uint64_t ps_netns_cookie(int socket_fd);

#endif
