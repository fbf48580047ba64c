// The socket records: who created each IPv4/IPv6 socket and who released it, keyed by the socket's cookie
// (unique system-wide for the kernel's uptime). These cgroup/sock hooks may not read a socket's addresses,
// so the cookie is the key; sock_diag, destroy events and the first-send records give procscope the cookie
// of a flow's socket.
//
// The creation record names the candidate owner, whose /proc/PID/fd alone is then read to confirm it: owner
// lookup without scanning the host. The release record names the owner of a socket whose process exited
// before anything could look: the hook runs in the process dropping the last reference, at close() or exit.
// That may be a process holding a passing reference (one reading /proc/PID/fd when the owner exited), so
// procscope trusts a release only from the socket's creator or a holder of its listener.
//
// Built by Scripts/make-bpf.sh into bpf_objects.c; loaded by SocketReleaseRecorder.swift through libbpf.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "procscope_records.h"

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);   // the oldest records go first when it is full
    __uint(max_entries, 1 << 16);
    __type(key, __u64);                    // socket cookie
    __type(value, struct ps_creator_value);
} creations SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 1 << 16);
    __type(key, __u64);                    // socket cookie
    __type(value, struct ps_release_value);
} releases SEC(".maps");

SEC("cgroup/sock_create")
int record_creation(struct bpf_sock *socket) {
    __u64 cookie = bpf_get_socket_cookie(socket);
    struct ps_creator_value creator = {
        .tgid = bpf_get_current_pid_tgid() >> 32,
        .uid = (__u32)bpf_get_current_uid_gid(),
    };
    bpf_map_update_elem(&creations, &cookie, &creator, BPF_ANY);
    return 1;   // never refuse the creation
}

SEC("cgroup/sock_release")
int record_release(struct bpf_sock *socket) {
    __u64 cookie = bpf_get_socket_cookie(socket);
    struct ps_release_value release = {
        .tgid = bpf_get_current_pid_tgid() >> 32,
        .uid = (__u32)bpf_get_current_uid_gid(),
        .released_ns = bpf_ktime_get_ns(),
    };
    bpf_get_current_comm(release.comm, sizeof(release.comm));
    // Its creator, looked up here rather than by procscope: one map read per lookup instead of two.
    struct ps_creator_value *creator = bpf_map_lookup_elem(&creations, &cookie);
    if (creator) {
        release.creator_tgid = creator->tgid;
        release.creator_known = 1;
    }
    bpf_map_update_elem(&releases, &cookie, &release, BPF_ANY);
    return 1;   // never refuse the release
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
