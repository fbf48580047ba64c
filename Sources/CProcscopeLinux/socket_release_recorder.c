// The socket-release recorder: a cgroup/sock_release eBPF program that, whenever the last file reference
// to an IPv4/IPv6 socket goes away (close() or the owner's exit), writes the releasing process (tgid, uid,
// comm) and the time under the socket's cookie into an LRU hash map that procscope reads, and a
// cgroup/sock_create program that writes the creating process under the same cookie into a second map.
// (These hooks may not read the socket's local address and port, so the cookie, unique system-wide, is the
// key.) The release may run in a process that only held a passing reference (one reading /proc/PID/fd when
// the owner exited): procscope trusts a release record only when the same process created the socket.
// It is what lets procscope name the owner of a socket whose process exited before its fd table could be
// scanned.
// Hand-assembled (no clang/libbpf at build time): every instruction is listed below with its meaning.
#define _GNU_SOURCE
#include "CProcscopeLinux.h"
#include "bpf_assembly.h"
#include <stddef.h>
#include <sys/socket.h>

_Static_assert(sizeof(struct ps_release_value) == 32, "ps_release_value layout");
_Static_assert(sizeof(struct ps_creator_value) == 8, "ps_creator_value layout");

// Stack layout: key (the cookie) at fp-8, value at fp-40 (32 bytes).
#define KEY (-8)
#define VALUE (-40)

int ps_release_map_create(uint32_t entries) {
    return ps_lru_map_create(sizeof(uint64_t), sizeof(struct ps_release_value), entries, "procscope_rel");
}

int ps_creator_map_create(uint32_t entries) {
    return ps_lru_map_create(sizeof(uint64_t), sizeof(struct ps_creator_value), entries, "procscope_cre");
}

int ps_release_program_load(int map_fd, char *log, uint32_t log_size) {
    struct bpf_insn program[] = {
        CALL(BPF_FUNC_get_socket_cookie), STX_DW(FP, R0, KEY),                            // key = cookie(ctx)
        CALL(BPF_FUNC_get_current_pid_tgid), RSH64_IMM(R0, 32), STX_W(FP, R0, VALUE + 0),   // value.tgid
        CALL(BPF_FUNC_get_current_uid_gid), STX_W(FP, R0, VALUE + 4),                     // value.uid
        CALL(BPF_FUNC_ktime_get_ns), STX_DW(FP, R0, VALUE + 8),                           // value.released_ns
        MOV64_REG(R1, FP), ADD64_IMM(R1, VALUE + 16), MOV64_IMM(R2, 16), CALL(BPF_FUNC_get_current_comm),
        LD_MAP_FD(R1, map_fd),                                                            // r1 = map
        MOV64_REG(R2, FP), ADD64_IMM(R2, KEY),
        MOV64_REG(R3, FP), ADD64_IMM(R3, VALUE),
        MOV64_IMM(R4, BPF_ANY), CALL(BPF_FUNC_map_update_elem),
        MOV64_IMM(R0, 1), EXIT(),                            // 1: never refuse the release
    };
    return ps_cgroup_program_load(program, sizeof(program) / sizeof(program[0]), BPF_PROG_TYPE_CGROUP_SOCK,
                                  BPF_CGROUP_INET_SOCK_RELEASE, "procscope_rel", log, log_size);
}

int ps_creator_program_load(int map_fd, char *log, uint32_t log_size) {
    struct bpf_insn program[] = {
        CALL(BPF_FUNC_get_socket_cookie), STX_DW(FP, R0, KEY),                            // key = cookie(ctx)
        CALL(BPF_FUNC_get_current_pid_tgid), RSH64_IMM(R0, 32), STX_W(FP, R0, VALUE + 0),   // value.tgid
        CALL(BPF_FUNC_get_current_uid_gid), STX_W(FP, R0, VALUE + 4),                     // value.uid
        LD_MAP_FD(R1, map_fd),                                                            // r1 = map
        MOV64_REG(R2, FP), ADD64_IMM(R2, KEY),
        MOV64_REG(R3, FP), ADD64_IMM(R3, VALUE),
        MOV64_IMM(R4, BPF_ANY), CALL(BPF_FUNC_map_update_elem),
        MOV64_IMM(R0, 1), EXIT(),                            // 1: never refuse the creation
    };
    return ps_cgroup_program_load(program, sizeof(program) / sizeof(program[0]), BPF_PROG_TYPE_CGROUP_SOCK,
                                  BPF_CGROUP_INET_SOCK_CREATE, "procscope_cre", log, log_size);
}

int ps_cookie_map_lookup(int map_fd, uint64_t cookie, void *value) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.map_fd = map_fd;
    attr.key = (uint64_t)(uintptr_t)&cookie;
    attr.value = (uint64_t)(uintptr_t)value;
    return (int)ps_bpf(BPF_MAP_LOOKUP_ELEM, &attr);
}
