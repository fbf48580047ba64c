// Attaching procscope's eBPF programs to a cgroup v2 directory through BPF links: a link is an fd, so the
// program is detached when procscope closes it or exits, however it exits.
#include "CProcscopeLinux.h"
#include "bpf_assembly.h"

int ps_cgroup_program_attach(int program_fd, int cgroup_fd, enum ps_cgroup_hook hook) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.link_create.prog_fd = program_fd;
    attr.link_create.target_fd = cgroup_fd;
    switch (hook) {
    case PS_HOOK_SOCK_CREATE: attr.link_create.attach_type = BPF_CGROUP_INET_SOCK_CREATE; break;
    case PS_HOOK_SOCK_RELEASE: attr.link_create.attach_type = BPF_CGROUP_INET_SOCK_RELEASE; break;
    case PS_HOOK_EGRESS: attr.link_create.attach_type = BPF_CGROUP_INET_EGRESS; break;
    }
    return (int)ps_bpf(BPF_LINK_CREATE, &attr);
}
