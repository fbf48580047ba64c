// The C edge of procscope's Linux layer: kernel uapi constants, and wrappers for what Swift cannot import
// (macros, flexible-array structs). Every wrapper names the kernel header whose layout it follows.
#ifndef CPROCSCOPE_LINUX_H
#define CPROCSCOPE_LINUX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <linux/packet_diag.h>
#include <linux/connector.h>
#include <linux/cn_proc.h>
#include <linux/capability.h>
#include <poll.h>
#include <time.h>
#include <sys/types.h>
#include "procscope_records.h"

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

/// Receives up to `slots` (at most 64) datagrams waiting on `fd` in one call, without waiting (recvmmsg(2),
/// MSG_DONTWAIT): the i-th into `buf + i * slot_size`, its length into `lengths[i]`, 0 for one cut short
/// (MSG_TRUNC), so a reader never parses half a message. Returns how many, or -1 with errno (EAGAIN: none).
int ps_recv_many(int fd, void *buf, size_t slot_size, unsigned int slots, uint32_t *lengths);

/// Whether the interface `name` of the calling thread's network namespace is a loopback device
/// (IFF_LOOPBACK): 1 or 0, or -1 with errno when it cannot be asked.
int ps_interface_is_loopback(const char *name);

/// Keeps the kernel from handing frames this host sends to the packet socket `packet_fd`
/// (PACKET_IGNORE_OUTGOING, Linux 4.20): 0, or -1 with errno.
int ps_packet_ignore_outgoing(int packet_fd);

/// The calling thread's kernel id (gettid(2)), for per-thread scheduling calls.
int ps_gettid(void);

/// Hands the allocator's free memory back to the system (glibc's malloc_trim(0), which <malloc.h> declares
/// and Swift's Glibc module does not import).
void ps_return_free_memory(void);

/// setns(fd, CLONE_NEWNET): moves the calling thread into the network namespace of `fd` (sched.h needs
/// _GNU_SOURCE, which Swift's Glibc module does not define).
int ps_setns_net(int fd);

/// procscope's eBPF objects (bpf/*.bpf.c, compiled by Scripts/make-bpf.sh into bpf_objects.c): the ELF
/// bytes that libbpf opens, and their size in `size`.
const unsigned char *ps_bpf_object_socket_records(size_t *size);
const unsigned char *ps_bpf_object_first_send(size_t *size);

/// A loaded eBPF object with its maps, programs and links (bpf_loader.c, over libbpf).
struct ps_bpf_object;
/// Opens the ELF `bytes` (bpf_object__open_mem) and loads (bpf_object__load) the programs named in
/// `programs`, leaving the object's others unloaded: the handle, or NULL with errno and, when the verifier
/// refused a program, its log in `log`.
struct ps_bpf_object *ps_bpf_object_load(const char *name, const void *bytes, size_t size,
                                         const char *const *programs, size_t program_count,
                                         char *log, size_t log_size);
/// Links a loaded program to the cgroup v2 directory `cgroup_fd` at the hook its section names
/// (bpf_program__attach_cgroup): 0, or -1 with errno. The link lives until the object is closed.
int ps_bpf_object_attach_cgroup(struct ps_bpf_object *object, const char *program, int cgroup_fd);
/// The descriptor of the object's map `map` (bpf_object__find_map_fd_by_name), or -1.
int ps_bpf_object_map(struct ps_bpf_object *object, const char *map);
/// BPF_MAP_LOOKUP_ELEM (bpf_map_lookup_elem): 0 when `key` is in the map, with its value in `value`.
int ps_bpf_map_lookup(int map_fd, const void *key, void *value);
/// Destroys the links (detaching the programs), then closes the object's programs and maps.
void ps_bpf_object_close(struct ps_bpf_object *object);

/// The network namespace cookie of a socket's namespace (SO_NETNS_COOKIE), or 0 where the kernel has none.
uint64_t ps_netns_cookie(int socket_fd);

/// -Z (privileges.c says why in three steps). The steps of `ps_switch_user`, returned (with errno set) by
/// the one that failed.
enum {
    PS_DROP_GROUPS = 1,
    PS_DROP_GID = 2,
    PS_DROP_UID = 3,
    PS_DROP_REGAINED = 4,
};
/// PR_SET_KEEPCAPS for the calling thread: with `keep`, its permitted capabilities survive the user change.
int ps_keep_capabilities_across_user_change(int keep);
/// Leaves the calling thread only the capabilities of the bitmask `keep` (bit n: capability n) that it has,
/// effective and permitted, and clears KEEPCAPS: 0, or -1 with errno.
int ps_narrow_capabilities(uint64_t keep);
/// Makes the process `user` (`uid`, `gid` and `user`'s supplementary groups) in every thread, and checks it
/// cannot become root again: 0, or the failed step with errno.
int ps_switch_user(const char *user, uid_t uid, gid_t gid);
/// 1 when this process may become another user (root, or cap_setuid with cap_setgid in effect), else 0.
int ps_can_switch_user(void);

#endif
