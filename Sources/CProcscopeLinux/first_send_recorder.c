// The first-send recorder: a cgroup_skb/egress eBPF program that, for the packet that opens a flow from a
// socket (a TCP SYN without ACK, an ICMP or ICMPv6 echo request), writes the sending socket's cookie, the
// time and the sending task's tgid into an LRU hash keyed by the packet's namespace and tuple. A socket that
// leaves the kernel's tables at once (a refused connect, a pinger that exits) is still named: the cookie
// leads to the creation and release records of the socket-release recorder.
// Only these packets are looked at (every other socket's packets return after a few instructions, before
// the packet is read), and a packet of a socket
// already recorded for the tuple (a retransmitted SYN, the next echo) writes nothing: a retransmission can
// be sent from a timer, in whatever task it interrupts, so only a socket's first send records a tgid, and
// that one is sent by the task in connect() or sendmsg().
// Hand-assembled (no clang/libbpf at build time) with the label assembler of bpf_assembly.h.
#define _GNU_SOURCE
#include "CProcscopeLinux.h"
#include "bpf_assembly.h"
#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>
#include <netinet/in.h>

_Static_assert(sizeof(struct ps_first_send_key) == 48, "ps_first_send_key layout");
_Static_assert(sizeof(struct ps_first_send_value) == 24, "ps_first_send_value layout");

int ps_first_send_map_create(uint32_t entries) {
    return ps_lru_map_create(sizeof(struct ps_first_send_key), sizeof(struct ps_first_send_value), entries,
                             "procscope_snd");
}

// Stack layout (fp-relative): key 48 bytes at -48, value 24 bytes at -72, the IP header (20 or 40 bytes)
// at -112, the first 16 bytes of the transport header at -128.
#define KEY (-48)
#define VALUE (-72)
#define IP (-112)
#define L4 (-128)
#define KEY_OFF(field) (KEY + (int)offsetof(struct ps_first_send_key, field))
#define VALUE_OFF(field) (VALUE + (int)offsetof(struct ps_first_send_value, field))

enum { OUT, V4, V6, TRANSPORT, ICMP, ECHO, TCP, RECORD, FRESH, SYN_SENT, PACKET };

/// r1 = skb, r2 = `offset` register or immediate, r3 = fp + `to`, r4 = `length`; bpf_skb_load_bytes; out on error.
static void load_bytes(struct ps_asm *a, int offset_register, int32_t offset, int16_t to, int32_t length) {
    ps_asm_emit(a, MOV64_REG(R1, R6));
    ps_asm_emit(a, offset_register >= 0 ? MOV64_REG(R2, offset_register) : MOV64_IMM(R2, offset));
    ps_asm_emit(a, MOV64_REG(R3, FP));
    ps_asm_emit(a, ADD64_IMM(R3, to));
    ps_asm_emit(a, MOV64_IMM(R4, length));
    ps_asm_emit(a, CALL(BPF_FUNC_skb_load_bytes));
    ps_asm_jump(a, BPF_JNE, R0, 0, OUT);
}

int ps_first_send_program_load(int map_fd, int with_netns, int with_tgid, char *log, uint32_t log_size) {
    struct ps_asm assembly;
    struct ps_asm *a = &assembly;
    ps_asm_begin(a);
    ps_asm_emit(a, MOV64_REG(R6, R1));                                        // r6 = skb
    for (int offset = KEY; offset < 0; offset += 8) ps_asm_emit(a, ST_DW(FP, offset, 0));   // key = 0
    ps_asm_emit(a, ST_W(FP, VALUE_OFF(pad), 0));
    ps_asm_emit(a, ST_DW(FP, VALUE_OFF(tgid), 0));                            // tgid and pad = 0
    // The sending socket first, without touching the packet: only TCP sockets in SYN_SENT (their SYN), ICMP
    // and ICMPv6 sockets (ping, raw) and IPPROTO_RAW sockets can send what is recorded. A UDP flood or an
    // established connection's data leaves here after a handful of instructions.
    ps_asm_emit(a, LDX_DW(R2, R6, (int16_t)offsetof(struct __sk_buff, sk)));
    ps_asm_jump(a, BPF_JEQ, R2, 0, OUT);
    ps_asm_emit(a, MOV64_REG(R1, R2));
    ps_asm_emit(a, CALL(BPF_FUNC_sk_fullsock));
    ps_asm_jump(a, BPF_JEQ, R0, 0, OUT);
    ps_asm_emit(a, LDX_W(R2, R0, (int16_t)offsetof(struct bpf_sock, protocol)));
    ps_asm_jump(a, BPF_JEQ, R2, IPPROTO_TCP, SYN_SENT);
    ps_asm_jump(a, BPF_JEQ, R2, IPPROTO_ICMP, PACKET);
    ps_asm_jump(a, BPF_JEQ, R2, IPPROTO_ICMPV6, PACKET);
    ps_asm_jump(a, BPF_JEQ, R2, IPPROTO_RAW, PACKET);
    ps_asm_jump(a, BPF_JA, 0, 0, OUT);
    ps_asm_label(a, SYN_SENT);
    ps_asm_emit(a, LDX_W(R2, R0, (int16_t)offsetof(struct bpf_sock, state)));
    ps_asm_jump(a, BPF_JNE, R2, BPF_TCP_SYN_SENT, OUT);
    ps_asm_label(a, PACKET);
    // The IP version: skb data starts at the network header in cgroup_skb programs.
    load_bytes(a, -1, 0, IP, 1);
    ps_asm_emit(a, LDX_B(R7, FP, IP));
    ps_asm_jump(a, BPF_JEQ, R7, 0x45, V4);                                    // IPv4 without options
    ps_asm_emit(a, RSH64_IMM(R7, 4));
    ps_asm_jump(a, BPF_JEQ, R7, 6, V6);
    ps_asm_jump(a, BPF_JA, 0, 0, OUT);

    ps_asm_label(a, V4);
    load_bytes(a, -1, 0, IP, 20);
    ps_asm_emit(a, LDX_B(R1, FP, IP + 6));                                    // no later fragment
    ps_asm_emit(a, AND64_IMM(R1, 0x1f));
    ps_asm_jump(a, BPF_JNE, R1, 0, OUT);
    ps_asm_emit(a, LDX_B(R1, FP, IP + 7));
    ps_asm_jump(a, BPF_JNE, R1, 0, OUT);
    ps_asm_emit(a, ST_B(FP, KEY_OFF(version), 4));
    ps_asm_emit(a, LDX_B(R8, FP, IP + 9));                                    // r8 = protocol
    ps_asm_emit(a, LDX_W(R1, FP, IP + 12));                                   // source address
    ps_asm_emit(a, STX_W(FP, R1, KEY_OFF(local)));
    ps_asm_emit(a, LDX_W(R1, FP, IP + 16));                                   // destination address
    ps_asm_emit(a, STX_W(FP, R1, KEY_OFF(remote)));
    ps_asm_emit(a, MOV64_IMM(R9, 20));                                        // r9 = transport offset
    ps_asm_jump(a, BPF_JA, 0, 0, TRANSPORT);

    ps_asm_label(a, V6);                                                      // no extension headers
    load_bytes(a, -1, 0, IP, 40);
    ps_asm_emit(a, ST_B(FP, KEY_OFF(version), 6));
    ps_asm_emit(a, LDX_B(R8, FP, IP + 6));                                    // r8 = next header
    for (int word = 0; word < 4; word++) {                                    // source, destination
        ps_asm_emit(a, LDX_DW(R1, FP, IP + 8 + 8 * word));
        ps_asm_emit(a, STX_DW(FP, R1, KEY_OFF(local) + 8 * word));
    }
    ps_asm_emit(a, MOV64_IMM(R9, 40));

    ps_asm_label(a, TRANSPORT);
    ps_asm_emit(a, STX_B(FP, R8, KEY_OFF(proto)));
    ps_asm_jump(a, BPF_JEQ, R8, 6, TCP);
    ps_asm_jump(a, BPF_JEQ, R8, 1, ICMP);
    ps_asm_jump(a, BPF_JEQ, R8, 58, ICMP);
    ps_asm_jump(a, BPF_JA, 0, 0, OUT);

    ps_asm_label(a, ICMP);
    load_bytes(a, R9, 0, L4, 8);
    ps_asm_emit(a, LDX_B(R1, FP, L4));                                        // type
    ps_asm_jump(a, BPF_JEQ, R1, 8, ECHO);                                     // ICMP echo request
    ps_asm_jump(a, BPF_JEQ, R1, 128, ECHO);                                   // ICMPv6 echo request
    ps_asm_jump(a, BPF_JA, 0, 0, OUT);
    ps_asm_label(a, ECHO);
    ps_asm_emit(a, LDX_H(R1, FP, L4 + 4));                                    // identifier: the "port"
    ps_asm_emit(a, STX_H(FP, R1, KEY_OFF(local_port)));
    ps_asm_jump(a, BPF_JA, 0, 0, RECORD);

    ps_asm_label(a, TCP);
    load_bytes(a, R9, 0, L4, 16);
    ps_asm_emit(a, LDX_B(R1, FP, L4 + 13));                                   // flags: SYN without ACK
    ps_asm_emit(a, AND64_IMM(R1, 0x12));
    ps_asm_jump(a, BPF_JNE, R1, 0x02, OUT);
    ps_asm_emit(a, LDX_H(R1, FP, L4));
    ps_asm_emit(a, STX_H(FP, R1, KEY_OFF(local_port)));
    ps_asm_emit(a, LDX_H(R1, FP, L4 + 2));
    ps_asm_emit(a, STX_H(FP, R1, KEY_OFF(remote_port)));

    ps_asm_label(a, RECORD);
    if (with_netns) {
        ps_asm_emit(a, MOV64_REG(R1, R6));
        ps_asm_emit(a, CALL(BPF_FUNC_get_netns_cookie));
        ps_asm_emit(a, STX_DW(FP, R0, KEY_OFF(netns_cookie)));
    }
    ps_asm_emit(a, MOV64_REG(R1, R6));
    ps_asm_emit(a, CALL(BPF_FUNC_get_socket_cookie));
    ps_asm_jump(a, BPF_JEQ, R0, 0, OUT);                                      // no socket: the kernel's
    ps_asm_emit(a, STX_DW(FP, R0, VALUE_OFF(cookie)));
    ps_asm_emit(a, MOV64_REG(R7, R0));                                        // r7 = cookie
    ps_asm_emit(a, INSN(BPF_LD | BPF_DW | BPF_IMM, R1, BPF_PSEUDO_MAP_FD, 0, map_fd));   // r1 = map
    ps_asm_emit(a, INSN(0, 0, 0, 0, 0));
    ps_asm_emit(a, MOV64_REG(R2, FP));
    ps_asm_emit(a, ADD64_IMM(R2, KEY));
    ps_asm_emit(a, CALL(BPF_FUNC_map_lookup_elem));
    ps_asm_jump(a, BPF_JEQ, R0, 0, FRESH);
    ps_asm_emit(a, LDX_DW(R1, R0, 0));                                        // the recorded socket's cookie
    ps_asm_jump_eq_reg(a, R1, R7, OUT);                                       // same socket: not its first send
    ps_asm_label(a, FRESH);
    ps_asm_emit(a, CALL(BPF_FUNC_ktime_get_ns));
    ps_asm_emit(a, STX_DW(FP, R0, VALUE_OFF(sent_ns)));
    if (with_tgid) {
        ps_asm_emit(a, CALL(BPF_FUNC_get_current_pid_tgid));
        ps_asm_emit(a, RSH64_IMM(R0, 32));
        ps_asm_emit(a, STX_W(FP, R0, VALUE_OFF(tgid)));
    }
    ps_asm_emit(a, INSN(BPF_LD | BPF_DW | BPF_IMM, R1, BPF_PSEUDO_MAP_FD, 0, map_fd));   // r1 = map
    ps_asm_emit(a, INSN(0, 0, 0, 0, 0));
    ps_asm_emit(a, MOV64_REG(R2, FP));
    ps_asm_emit(a, ADD64_IMM(R2, KEY));
    ps_asm_emit(a, MOV64_REG(R3, FP));
    ps_asm_emit(a, ADD64_IMM(R3, VALUE));
    ps_asm_emit(a, MOV64_IMM(R4, BPF_ANY));
    ps_asm_emit(a, CALL(BPF_FUNC_map_update_elem));

    ps_asm_label(a, OUT);
    ps_asm_emit(a, MOV64_IMM(R0, 1));                                         // 1: never drop the packet
    ps_asm_emit(a, EXIT());
    if (ps_asm_end(a) != 0) {
        errno = EINVAL;
        return -1;
    }
    return ps_cgroup_program_load(a->insns, a->count, BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS,
                                  "procscope_snd", log, log_size);
}

int ps_first_send_lookup(int map_fd, const struct ps_first_send_key *key, struct ps_first_send_value *value) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.map_fd = map_fd;
    attr.key = (uint64_t)(uintptr_t)key;
    attr.value = (uint64_t)(uintptr_t)value;
    return (int)ps_bpf(BPF_MAP_LOOKUP_ELEM, &attr);
}

uint64_t ps_netns_cookie(int socket_fd) {
    uint64_t cookie = 0;
    socklen_t length = sizeof(cookie);
    // SO_NETNS_COOKIE (71, Linux 5.14): the cookie bpf_get_netns_cookie returns for the socket's namespace.
    if (getsockopt(socket_fd, SOL_SOCKET, 71, &cookie, &length) != 0) return 0;
    return cookie;
}
