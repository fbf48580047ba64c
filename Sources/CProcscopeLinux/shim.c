#define _GNU_SOURCE
#include "CProcscopeLinux.h"
#include <unistd.h>
#include <malloc.h>
#include <sched.h>
#include <sys/syscall.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <linux/if_packet.h>

_Static_assert(sizeof(struct inet_diag_msg) == PS_INET_DIAG_MSG_SIZE, "inet_diag_msg layout changed");
_Static_assert(offsetof(struct inet_diag_msg, idiag_uid) == 64, "inet_diag_msg.idiag_uid moved");
_Static_assert(offsetof(struct inet_diag_msg, idiag_inode) == 68, "inet_diag_msg.idiag_inode moved");
_Static_assert(offsetof(struct inet_diag_msg, id) == 4, "inet_diag_msg.id moved");
_Static_assert(sizeof(struct inet_diag_sockid) == 48, "inet_diag_sockid layout changed");
_Static_assert(sizeof(struct cn_msg) == 20, "cn_msg layout changed");

/// Zeroes `len` bytes of `buf` and writes a SOCK_DIAG_BY_FAMILY request header (a dump when `dump`);
/// returns where the request body goes, or NULL when `buflen` is too small.
static void *ps_sock_diag_header(void *buf, size_t buflen, size_t len, uint32_t seq, int dump) {
    if (buflen < len) return NULL;
    memset(buf, 0, len);
    struct nlmsghdr *nlh = buf;
    nlh->nlmsg_len = (uint32_t)len;
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0);
    nlh->nlmsg_seq = seq;
    return NLMSG_DATA(nlh);
}

int ps_inet_diag_request(void *buf, size_t buflen, uint32_t seq, uint8_t family, uint8_t protocol,
                         uint32_t states, int dump,
                         const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport) {
    size_t len = NLMSG_LENGTH(sizeof(struct inet_diag_req_v2));
    struct inet_diag_req_v2 *req = ps_sock_diag_header(buf, buflen, len, seq, dump);
    if (!req) return -1;
    req->sdiag_family = family;
    req->sdiag_protocol = protocol;
    req->idiag_states = states;
    req->id.idiag_cookie[0] = PS_INET_DIAG_NOCOOKIE;
    req->id.idiag_cookie[1] = PS_INET_DIAG_NOCOOKIE;
    if (!dump) {
        req->id.idiag_sport = htons(sport);
        req->id.idiag_dport = htons(dport);
        memcpy(req->id.idiag_src, src, 16);
        memcpy(req->id.idiag_dst, dst, 16);
    }
    return (int)len;
}

_Static_assert(sizeof(struct packet_diag_msg) == 16, "packet_diag_msg layout changed");
_Static_assert(sizeof(struct packet_diag_info) == 24, "packet_diag_info layout changed");

int ps_packet_diag_request(void *buf, size_t buflen, uint32_t seq) {
    size_t len = NLMSG_LENGTH(sizeof(struct packet_diag_req));
    struct packet_diag_req *req = ps_sock_diag_header(buf, buflen, len, seq, 1);
    if (!req) return -1;
    req->sdiag_family = AF_PACKET;
    req->pdiag_show = PACKET_SHOW_INFO | PACKET_SHOW_RING_CFG;
    return (int)len;
}

int ps_proc_connector_listen_request(void *buf, size_t buflen, int listen) {
    size_t len = NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(uint32_t));
    if (buflen < len) return -1;
    memset(buf, 0, len);
    struct nlmsghdr *nlh = buf;
    nlh->nlmsg_len = (uint32_t)len;
    nlh->nlmsg_type = NLMSG_DONE;
    struct cn_msg *msg = NLMSG_DATA(nlh);
    msg->id.idx = CN_IDX_PROC;
    msg->id.val = CN_VAL_PROC;
    msg->len = sizeof(uint32_t);
    uint32_t op = listen ? PROC_CN_MCAST_LISTEN : PROC_CN_MCAST_IGNORE;
    memcpy(msg->data, &op, sizeof op);
    return (int)len;
}

size_t ps_proc_event_offset(void) { return NLMSG_HDRLEN + sizeof(struct cn_msg); }
size_t ps_proc_event_data_offset(void) { return offsetof(struct proc_event, event_data); }

int ps_ppoll(struct pollfd *fds, unsigned long count, const struct timespec *timeout) {
    return ppoll(fds, (nfds_t)count, timeout, NULL);
}

int ps_gettid(void) { return (int)syscall(SYS_gettid); }

void ps_return_free_memory(void) { malloc_trim(0); }

int ps_setns_net(int fd) { return setns(fd, CLONE_NEWNET); }

uint64_t ps_netns_cookie(int socket_fd) {
    uint64_t cookie = 0;
    socklen_t length = sizeof(cookie);
    // SO_NETNS_COOKIE (71, Linux 5.14): the cookie bpf_get_netns_cookie returns for the socket's namespace.
    if (getsockopt(socket_fd, SOL_SOCKET, 71, &cookie, &length) != 0) return 0;
    return cookie;
}

int ps_recv_many(int fd, void *buf, size_t slot_size, unsigned int slots, uint32_t *lengths) {
    struct mmsghdr messages[64];
    struct iovec vectors[64];
    if (slots > 64) slots = 64;
    memset(messages, 0, sizeof(struct mmsghdr) * slots);
    for (unsigned int i = 0; i < slots; i++) {
        vectors[i].iov_base = (char *)buf + i * slot_size;
        vectors[i].iov_len = slot_size;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int received = recvmmsg(fd, messages, slots, MSG_DONTWAIT, NULL);
    for (int i = 0; i < received; i++) {
        lengths[i] = (messages[i].msg_hdr.msg_flags & MSG_TRUNC) ? 0 : messages[i].msg_len;
    }
    return received;
}

int ps_interface_is_loopback(const char *name) {
    int probe = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (probe < 0) return -1;
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    int result = ioctl(probe, SIOCGIFFLAGS, &request);
    close(probe);
    if (result < 0) return -1;
    return (request.ifr_flags & IFF_LOOPBACK) != 0;
}

int ps_packet_ignore_outgoing(int packet_fd) {
    int on = 1;
    // PACKET_IGNORE_OUTGOING (23, Linux 4.20).
    return setsockopt(packet_fd, SOL_PACKET, 23, &on, sizeof(on));
}
